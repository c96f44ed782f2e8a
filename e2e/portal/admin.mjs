// The flow of the portal's administration pages, for TestPortalBrowser_Admin: the access log
// filtered with the keyboard and paged, and exported as CSV with the filter (the download's file
// read); an OAuth client registered (its secret shown once), its secret rotated and the client
// deleted after the confirmation pages, and another client's redirect URIs and scopes edited; an
// identity provider refused next to its field, then registered and deleted after the
// confirmation page, and a provider's users' page.
// Input: {ownerId, idp, clientId, publicKey}. Result: the texts the Go test checks.
// submits: POST /portal/clients, POST /portal/clients/{client}/rotate, POST /portal/clients/{client}/delete
// submits: POST /portal/clients/{client}, POST /portal/owners/{owner}/identity-providers
// submits: POST /portal/owners/{owner}/identity-providers/{idp}/delete
import { readFile } from 'node:fs/promises';

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
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const lines = (await readFile(await download.path(), 'utf8')).split('\r\n');
  h.result.csvName = download.suggestedFilename();
  h.result.csvHeader = lines[0];
  h.result.csvFirst = lines[1];
  h.result.csvRows = lines.filter((l) => l !== '').length - 1;

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
  await h.submit('#continue');
  await Promise.all([page.waitForNavigation(), page.click('#delete')]);
  h.result.deleteQuestion = await h.text('#question');
  await h.check('client-delete');
  await h.submit('#confirm');
  h.result.deletedNotice = await h.text('#notice');
  h.result.deletedRows = await page.locator('#clients tr', { hasText: 'Browser Service' }).count();
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-client="${input.clientId}"] a`)]);
  await page.fill('#client-redirects', 'https://app.example/cb\nhttps://app.example/cb2');
  await page.check('input[name=scope][value="read:logs"]');
  await h.submit('#edit-client button[type=submit]');
  h.result.savedNotice = await h.text('#notice');
  await h.check('client-saved');

  await h.visit(`/portal/owners/${input.ownerId}/identity-providers`);
  await h.check('idps');
  await page.fill('#idp-id', 'bad id');
  await page.fill('#idp-issuer', 'https://beta.example');
  await page.fill('#idp-audience', 'keyward');
  await page.fill('#idp-key', 'not a key');
  await h.submit('#create-idp button[type=submit]');
  h.result.ipIdError = await h.text('#ipId-error');
  await h.check('idps-error');
  await page.fill('#idp-id', 'beta.idp');
  await page.fill('#idp-key', input.publicKey);
  await h.submit('#create-idp button[type=submit]');
  h.result.idpNotice = await h.text('#notice');
  await Promise.all([page.waitForNavigation(), page.click('tr[data-idp="beta.idp"] a.remove')]);
  h.result.idpQuestion = await h.text('#question');
  await h.check('idp-delete');
  await h.submit('#confirm');
  h.result.idpDeletedNotice = await h.text('#notice');
  h.result.idpRows = await page.locator('tr[data-idp="beta.idp"]').count();
  await h.check('idps-after-delete');
  await h.visit(`/portal/owners/${input.ownerId}/identity-providers/${input.idp}`);
  await h.check('idp-users');
  h.result.idpTitle = await h.text('h1');
}
