// The flow of the portal's administration pages, for TestPortalBrowser_Admin: the access log
// filtered with the keyboard and paged, an OAuth client registered (its secret shown once) and
// its secret rotated after the confirmation page, an identity provider refused next to its field
// and its users' page.
// Input: {ownerId, idp}. Result: the texts the Go test checks.
// submits: POST /portal/clients, POST /portal/clients/{client}/rotate, POST /portal/owners/{owner}/identity-providers
export default async function admin(page, input, h) {
  await h.visit(`/portal/owners/${input.ownerId}/logs`);
  await h.check('logs');
  h.result.logRows = await page.locator('#log tbody tr').count();
  await page.selectOption('#log-result', 'Denied');
  await page.focus('#log-from');
  await page.keyboard.type('yesterday');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#from-error');
  h.result.fromError = await h.text('#from-error');
  await h.check('logs-error');
  await page.fill('#log-from', '2026-03-01');
  await h.submit('#log-filter button[type=submit]');
  h.result.deniedRows = await page.locator('#log tbody tr').count();
  h.result.verdicts = [...new Set(await page.locator('#log td.verdict').allTextContents())];

  await h.visit('/portal/clients');
  await h.check('clients');
  await page.fill('#client-name', 'Browser Service');
  await page.check('#kind-confidential');
  await page.uncheck('input[name=grant_type][value=authorization_code]');
  await page.uncheck('input[name=grant_type][value=refresh_token]');
  await page.check('input[name=grant_type][value=client_credentials]');
  await page.check('input[name=scope][value="read:logs"]');
  await h.submit('#create-client button[type=submit]');
  h.result.createdNotice = await h.text('#secret-notice');
  h.result.secretLength = (await h.text('#client-secret')).length;
  await h.check('client-secret');
  await h.submit('#continue'); // a link: the navigation is what counts
  await h.check('client');
  await Promise.all([page.waitForNavigation(), page.click('#rotate')]);
  h.result.rotateQuestion = await h.text('#question');
  await h.check('client-rotate');
  await h.submit('#confirm');
  h.result.rotatedNotice = await h.text('#secret-notice');

  await h.visit(`/portal/owners/${input.ownerId}/identity-providers`);
  await h.check('idps');
  await page.fill('#idp-id', 'bad id');
  await page.fill('#idp-issuer', 'https://beta.example');
  await page.fill('#idp-audience', 'keyward');
  await page.fill('#idp-key', 'not a key');
  await h.submit('#create-idp button[type=submit]');
  h.result.ipIdError = await h.text('#ipId-error');
  await h.check('idps-error');
  await h.visit(`/portal/owners/${input.ownerId}/identity-providers/${input.idp}`);
  await h.check('idp-users');
  h.result.idpTitle = await h.text('h1');
}
