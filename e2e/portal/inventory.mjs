// The flow of an account's inventory, for TestPortalBrowser_Inventory: a lock refused with a
// wrong binding code and then bound, its page; a lock group created with a member; a contact
// found by the search and its page; a card's page and its revocation's confirmation page. Every
// list, form with an error, entity page and confirmation page is checked.
// Input: {ownerId, lockId, code, cardId}. Result: the texts the Go test checks.
// submits: POST /portal/owners/{owner}/locks, POST /portal/owners/{owner}/groups
// submits: POST /portal/owners/{owner}/groups/{group}/members
export default async function inventory(page, input, h) {
  const o = `/portal/owners/${input.ownerId}`;
  await h.visit(`${o}/locks`);
  await h.check('locks');
  await page.fill('#lock-physical-id', input.lockId);
  await page.fill('#lock-binding-code', 'wrong');
  await page.fill('#lock-title', 'Browser Door');
  await h.submit('#bind-lock button[type=submit]');
  h.result.wrongCode = await h.text('#bindingCode-error');
  await h.check('locks-error');
  await page.fill('#lock-binding-code', input.code);
  await h.submit('#bind-lock button[type=submit]');
  h.result.boundNotice = await h.text('#notice');
  h.result.lockTitle = await h.text('h1');
  await h.check('lock');

  await h.visit(`${o}/groups`);
  await page.fill('#group-title', 'Browser Group');
  await h.submit('#create-group button[type=submit]');
  h.result.groupNotice = await h.text('#notice');
  await page.selectOption('#member-lock', { label: 'Browser Door' });
  await h.submit('#add-member button[type=submit]');
  h.result.memberNotice = await h.text('#notice');
  await h.check('group');
  const member = page.locator('#members tr', { hasText: 'Browser Door' });
  await Promise.all([page.waitForNavigation(), member.locator('a', { hasText: 'Remove' }).click()]);
  h.result.removeQuestion = await h.text('#question');
  await h.check('group-remove');

  await h.visit(`${o}/contacts`);
  await page.fill('#contact-search', 'guest');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#contacts');
  h.result.found = await page.locator('#contacts tbody tr').count();
  await h.check('contacts');
  await Promise.all([page.waitForNavigation(), page.click('#contacts tbody a')]);
  h.result.contactIdentity = await h.text('#contact-identity');
  await h.check('contact');

  await h.visit(`${o}/cards`);
  await h.check('cards');
  await h.visit(`${o}/cards/${input.cardId}`);
  await h.check('card');
  await Promise.all([page.waitForNavigation(), page.click('#revoke-link')]);
  h.result.revokeQuestion = await h.text('#question');
  await h.check('card-revoke');
}
