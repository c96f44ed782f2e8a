// The flow of the grant pages, for TestPortalBrowser_Grants: the new-grant form with the schedule
// builder filled in by the keyboard, its preview across the change to summer time, a refusal next
// to its field, the grant created and revoked after the confirmation page (at once: no lock has
// its key), the list, on the lock who can open it now and why someone may not, and a grant whose
// key a lock holds revoked after the confirmation page (pending until the lock syncs).
// Input: {ownerId, lockId, guestId, heldId}. Result: the texts the Go test checks.
// submits: POST /portal/owners/{owner}/grants/new, POST /portal/owners/{owner}/grants/{grant}/revoke
export default async function grants(page, input, h) {
  const base = `/portal/owners/${input.ownerId}`;
  await h.visit(`${base}/grants/new`);
  await h.check('grant-new');

  // A refusal: the guest has a grant on the lock already.
  await page.selectOption('#grant-target', input.lockId);
  await page.selectOption('#grant-contact', input.guestId);
  await h.submit('#create-button');
  h.result.duplicate = await h.text('#contact-error');
  await h.check('grant-refused');

  await page.selectOption('#grant-contact', '');
  await page.fill('#grant-email', 'visitor@example.com');
  await page.fill('#grant-valid-from', '2027-03-26');
  await page.fill('#grant-valid-until', '2027-03-29');
  for (const day of ['MO', 'FR', 'SA', 'SU']) {
    await page.focus(`#day-${day}`);
    await page.keyboard.press('Space');
  }
  await page.fill('#grant-time-from', '08:00');
  await page.fill('#grant-time-to', '12:00');
  await h.submit('#preview-button');
  h.result.previewZone = await h.text('#preview-zone');
  h.result.summerWindow = await h.text('#window-2-start');
  h.result.ical = await page.inputValue('#grant-ical');
  await h.check('grant-preview');

  await h.submit('#create-button');
  h.result.createdNotice = await h.text('#notice');
  h.result.schedule = await h.text('#grant-schedule');
  await h.check('grant');

  await Promise.all([page.waitForNavigation(), page.click('#revoke-link')]);
  h.result.consequence = await h.text('#consequence');
  await h.check('grant-revoke');
  await h.submit('#confirm');
  h.result.state = await h.text('#grant-state');

  await h.visit(`${base}/grants?show=all`);
  await h.check('grants');
  h.result.rows = await page.locator('#grants tbody tr').count();

  await h.visit(`${base}/locks/${input.lockId}`);
  await Promise.all([page.waitForNavigation(), page.click('#lock-access-link')]);
  await h.check('lock-access');
  h.result.firstVerdict = await h.text('#row-0-verdict');
  await Promise.all([page.waitForNavigation(), page.click('#check-link')]);
  await page.selectOption('#check-grantee', `contact:${input.guestId}`);
  await page.fill('#check-at', '2027-03-28T09:00');
  await h.submit('#access-check button[type=submit]');
  h.result.verdict = await h.text('#verdict');
  await h.check('access-check');

  await h.visit(`${base}/grants/${input.heldId}`);
  await Promise.all([page.waitForNavigation(), page.click('#revoke-link')]);
  h.result.heldConsequence = await h.text('#consequence');
  await h.check('grant-revoke-held');
  await h.submit('#confirm');
  h.result.heldNotice = await h.text('#notice');
  h.result.heldState = await h.text('#grant-state');
  await h.check('grant-revocation-pending');
}
