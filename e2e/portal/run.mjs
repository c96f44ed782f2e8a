// Runs one portal flow in a headless Chromium for the Go tests (internal/app/portal_browser_test.go),
// which pass the input as JSON in argv[2]:
//   {flow, base, email, password, screenshotDir, userDataDir, locale, ...the flow's own fields}
// The runner signs in on the sign-in page, then calls the default export of e2e/portal/<flow>.mjs
// with (page, input, h). h.visit(path) opens a page of the server and h.check(name) checks the page
// shown: it runs axe-core on it (WCAG 2.1 A and AA rules) and saves a full-page screenshot as
// <name>.png. It prints one JSON object: {result, pages: [{name, url, violations}], posts}, where
// violations are axe's serious and critical ones, which the Go test fails on, and posts are the
// URLs of the portal's forms the browser sent after signing in, which the Go test compares with
// the routes the flow's header names ("// submits: POST /portal/...").
// It uses the Debian chromium and never downloads a browser.
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const input = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const flow = (await import(`./${input.flow}.mjs`)).default;

const context = await chromium.launchPersistentContext(input.userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  locale: input.locale ?? 'en-US',
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const pages = [];
const result = {};
const posts = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20000);
  const h = {
    result,
    // visit opens a path of the server and waits for the page.
    visit: async (path) => { await page.goto(input.base + path); },
    // submit clicks a submit button and waits for the page it leads to.
    submit: async (selector) => { await Promise.all([page.waitForNavigation(), page.click(selector)]); },
    // text is the trimmed text of the first element matching selector.
    text: async (selector) => (await page.textContent(selector))?.trim(),
    // check runs axe on the page shown and saves its screenshot under name.
    check: async (name) => {
      await page.evaluate(axeSource); // evaluated over the DevTools protocol: the page's CSP still runs no script of its own
      const res = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      }));
      const violations = res.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
      pages.push({ name, url: page.url(), violations });
      await page.screenshot({ path: join(input.screenshotDir, `${name}.png`), fullPage: true });
    },
  };
  await page.goto(input.base + '/account/login?return=' + encodeURIComponent('/portal/'));
  await page.fill('#email', input.email);
  await page.fill('#password', input.password);
  await h.submit('form#login button[type=submit]');
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.isNavigationRequest() && new URL(r.url()).pathname.startsWith('/portal/')) posts.push(r.url());
  });
  await flow(page, input, h);
  process.stdout.write(JSON.stringify({ result, pages, posts }));
} finally {
  await context.close();
}
