// The flow of the portal's own pages, for TestPortalBrowser_Accounts: the home page, creating and
// renaming an account, inviting an administrator and removing them after the confirmation page,
// all with the keyboard where a person would type, then the language switch.
// Input: {ownerId, inviteEmail, unverifiedEmail}. Result: the texts the Go test checks.
// submits: POST /portal/owners, POST /portal/owners/{owner}/rename, POST /portal/language
// submits: POST /portal/owners/{owner}/permissions, POST /portal/owners/{owner}/permissions/{permission}/remove
export default async function accounts(page, input, h) {
  await h.check('home');
  h.result.homeTitle = await h.text('h1');

  await page.fill('#owner-name', 'Browser Flat');
  await h.submit('#create-owner button[type=submit]');
  h.result.createdNotice = await h.text('#notice');
  h.result.createdTitle = await h.text('h1');
  await h.check('owner');

  await page.fill('#owner-name', '');
  await page.keyboard.type('Browser Flat 2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#notice');
  h.result.renamedTitle = await h.text('h1');

  await h.visit(`/portal/owners/${input.ownerId}/permissions`);
  await h.check('permissions');
  await page.fill('#invite-email', input.unverifiedEmail);
  await h.submit('#invite button[type=submit]');
  h.result.inviteError = await h.text('#email-error');
  await h.check('permissions-error');
  await page.fill('#invite-email', input.inviteEmail);
  await page.selectOption('#invite-role', 'Admin');
  await h.submit('#invite button[type=submit]');
  h.result.invitedNotice = await h.text('#notice');

  const row = page.locator('tr', { hasText: input.inviteEmail });
  await Promise.all([page.waitForNavigation(), row.locator('a.remove').click()]);
  h.result.question = await h.text('#question');
  await h.check('confirm');
  await h.submit('#confirm');
  h.result.removedNotice = await h.text('#notice');
  h.result.rowsAfter = await page.locator('tr', { hasText: input.inviteEmail }).count();

  await page.selectOption('#lang-select', 'de');
  await h.submit('#language button[type=submit]');
  h.result.germanTitle = await h.text('h1');
  h.result.lang = await page.getAttribute('html', 'lang');
  await h.check('permissions-de');
}
