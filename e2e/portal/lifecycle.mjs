// The end of a lock's and a lock group's life, for TestPortalBrowser_Lifecycle: a lock renamed
// (refused with a blank title first, then saved with the Enter key) and unbound after the
// confirmation page; a lock group renamed, its member removed and the group deleted, each
// destructive step after its confirmation page. Every refusal, confirmation page and result is
// checked.
// Input: {ownerId, lockId, groupId}. Result: the texts the Go test checks.
// submits: POST /portal/owners/{owner}/locks/{lock}/rename, POST /portal/owners/{owner}/locks/{lock}/unbind
// submits: POST /portal/owners/{owner}/groups/{group}/rename, POST /portal/owners/{owner}/groups/{group}/delete
// submits: POST /portal/owners/{owner}/groups/{group}/members/{lock}/remove
export default async function lifecycle(page, input, h) {
  const o = `/portal/owners/${input.ownerId}`;
  await h.visit(`${o}/locks`);
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-lock="${input.lockId}"] a`)]);
  await page.fill('#lock-title', ' ');
  await h.submit('#rename-lock button[type=submit]');
  h.result.lockTitleError = await h.text('#title-error');
  await h.check('lock-rename-error');
  await page.fill('#lock-title', 'Garden Door');
  await page.fill('#lock-description', 'Garden side');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#notice');
  h.result.lockSaved = await h.text('#notice');
  h.result.lockTitle = await h.text('h1');
  await h.check('lock-renamed');
  await Promise.all([page.waitForNavigation(), page.click('#unbind-link')]);
  h.result.unbindQuestion = await h.text('#question');
  h.result.unbindConsequence = await h.text('#consequence');
  await h.check('lock-unbind');
  await h.submit('#confirm');
  h.result.unboundNotice = await h.text('#notice');
  h.result.unboundRows = await page.locator(`tr[data-lock="${input.lockId}"]`).count();
  await h.check('locks-after-unbind');

  await h.visit(`${o}/groups`);
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-group="${input.groupId}"] a`)]);
  await page.fill('#group-title', '  ');
  await h.submit('#rename-group button[type=submit]');
  h.result.groupTitleError = await h.text('#title-error');
  await h.check('group-rename-error');
  await page.fill('#group-title', 'Lobby');
  await h.submit('#rename-group button[type=submit]');
  h.result.groupSaved = await h.text('#notice');
  h.result.groupTitle = await h.text('h1');
  const member = page.locator('#members tr', { hasText: 'Front Door' });
  await Promise.all([page.waitForNavigation(), member.locator('a', { hasText: 'Remove' }).click()]);
  h.result.removeQuestion = await h.text('#question');
  await h.check('group-member-remove');
  await h.submit('#confirm');
  h.result.removedNotice = await h.text('#notice');
  h.result.noMembers = await h.text('#no-members');
  await h.check('group-emptied');
  await Promise.all([page.waitForNavigation(), page.click('#delete-link')]);
  h.result.deleteQuestion = await h.text('#question');
  h.result.deleteConsequence = await h.text('#consequence');
  await h.check('group-delete');
  await h.submit('#confirm');
  h.result.deletedNotice = await h.text('#notice');
  h.result.groupRows = await page.locator(`tr[data-group="${input.groupId}"]`).count();
  await h.check('groups-after-delete');
}
