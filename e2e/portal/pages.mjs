// Every page of the portal, for TestPortalBrowser_EveryPage: the Go test lists the pages (every
// GET route of the portal's table with the fixture's entities, and an error page), and this flow
// opens each one and checks it (axe and a screenshot). Input: {pages: [{name, path}]}.
// Result: the HTTP status and the <h1> of each page, by name.
export default async function pages(page, input, h) {
  for (const { name, path } of input.pages) {
    const res = await page.goto(input.base + path);
    h.result[name] = { status: res.status(), title: await h.text('h1') };
    await h.check(name);
  }
}
