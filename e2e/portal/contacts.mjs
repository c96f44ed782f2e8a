// An account's people and cards, for TestPortalBrowser_Contacts: a contact refused for an address
// the account has already and then added with the Enter key; the guest's contact edited, all its
// grants revoked and the contact deleted, each after its confirmation page; a card refused for an
// unknown id, then bound and renamed; and the seeded card's grants revoked after the confirmation
// page. Every refusal, confirmation page and result is checked.
// Input: {ownerId, guestId, grantId, cardId, cardGrantId, physicalCardId}. Result: the texts the
// Go test checks.
// submits: POST /portal/owners/{owner}/contacts, POST /portal/owners/{owner}/contacts/{contact}/edit
// submits: POST /portal/owners/{owner}/contacts/{contact}/revoke, POST /portal/owners/{owner}/contacts/{contact}/delete
// submits: POST /portal/owners/{owner}/cards, POST /portal/owners/{owner}/cards/{card}/edit
// submits: POST /portal/owners/{owner}/cards/{card}/revoke
export default async function contacts(page, input, h) {
  const o = `/portal/owners/${input.ownerId}`;
  await h.visit(`${o}/contacts`);
  await page.fill('#user-identifier', 'Guest@example.com');
  await page.fill('#user-title', 'Nina');
  await h.submit('#create-user-contact button[type=submit]');
  h.result.duplicate = await h.text('#identifier-error');
  await h.check('contact-create-error');
  await page.fill('#user-identifier', '');
  await page.keyboard.type('nina@example.com');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#notice');
  h.result.addedNotice = await h.text('#notice');
  h.result.addedIdentity = await h.text('#contact-identity');
  await h.check('contact-added');

  await h.visit(`${o}/contacts`);
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-contact="${input.guestId}"] a`)]);
  await page.fill('#contact-title', 'Gus');
  await page.fill('#contact-comment', 'Cleaner, Tuesdays');
  await h.submit('#edit-contact button[type=submit]');
  h.result.savedNotice = await h.text('#notice');
  await h.check('contact-saved');
  await Promise.all([page.waitForNavigation(), page.click('#revoke-link')]);
  h.result.revokeQuestion = await h.text('#question');
  await h.check('contact-revoke');
  await h.submit('#confirm');
  h.result.revokedNotice = await h.text('#notice');
  h.result.grantState = await h.text(`tr[data-grant="${input.grantId}"] td.state`);
  await h.check('contact-revoked');
  await Promise.all([page.waitForNavigation(), page.click('#delete-link')]);
  h.result.deleteQuestion = await h.text('#question');
  await h.check('contact-delete');
  await h.submit('#confirm');
  h.result.deletedNotice = await h.text('#notice');
  h.result.guestRows = await page.locator(`tr[data-contact="${input.guestId}"]`).count();
  await h.check('contacts-after-delete');

  await h.visit(`${o}/cards`);
  await page.fill('#card-physical-id', 'no-such-card');
  await page.fill('#card-title', 'Red card');
  await h.submit('#bind-card button[type=submit]');
  h.result.unknownCard = await h.text('#physicalCardId-error');
  await h.check('card-bind-error');
  await page.fill('#card-physical-id', input.physicalCardId);
  await h.submit('#bind-card button[type=submit]');
  h.result.boundNotice = await h.text('#notice');
  h.result.boundTitle = await h.text('h1');
  h.result.capacity = await h.text('#card-capacity');
  await page.fill('#card-title', 'Green card');
  await h.submit('#edit-card button[type=submit]');
  h.result.cardSaved = await h.text('#notice');
  h.result.cardTitle = await h.text('h1');
  await h.check('card-renamed');

  await h.visit(`${o}/cards`);
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-card="${input.cardId}"] a`)]);
  await Promise.all([page.waitForNavigation(), page.click('#revoke-link')]);
  h.result.cardRevokeQuestion = await h.text('#question');
  await h.check('card-revoke');
  await h.submit('#confirm');
  h.result.cardRevokedNotice = await h.text('#notice');
  h.result.cardGrantState = await h.text(`tr[data-grant="${input.cardGrantId}"] td.state`);
  await h.check('card-revoked');
}
