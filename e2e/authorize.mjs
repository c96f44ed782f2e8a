// Drives Keyward's sign-in and consent pages in a headless Chromium for
// internal/app/browser_test.go, which passes one scenario as JSON in argv[2]:
//   {scenario: "allow" | "deny" | "wrong-password" | "remembered" | "withdraw", authorizeURL,
//    email, password, callbackPrefix, clientId, tokenURL, tokenForm, userinfoURL, screenshotDir,
//    userDataDir, locale}
// "remembered" expects no consent page after the sign-in; "withdraw" starts at the account page
// (authorizeURL) and withdraws the access of clientId there. With tokenURL, "allow" goes on to
// redeem the code from the client's page with fetch, as a single-page app does.
// and reads one JSON object from stdout. The browser's locale, which sets its Accept-Language,
// is en-US unless the scenario names another. It uses the Debian chromium; it never downloads a browser.
import { chromium } from 'playwright-core';
import { join } from 'node:path';

const input = JSON.parse(process.argv[2]);

// readTokens plays the single-page app on the client's page: it redeems the code with fetch, a
// cross-origin request to the token endpoint, and calls userinfo with the token, which needs a
// preflight because of the Authorization header.
async function readTokens(page, input, result) {
  const code = new URL(page.url()).searchParams.get('code');
  result.token = await page.evaluate(async ({ url, form, code }) => {
    const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ ...form, code }) });
    return { status: res.status, body: await res.json() };
  }, { url: input.tokenURL, form: input.tokenForm, code });
  result.userinfo = await page.evaluate(async ({ url, token }) => {
    const res = await fetch(url, { headers: { Authorization: 'Bearer ' + token } });
    return { status: res.status, body: await res.json() };
  }, { url: input.userinfoURL, token: result.token.body.access_token });
}
const timeout = 20000;

const context = await chromium.launchPersistentContext(input.userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  locale: input.locale ?? 'en-US',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const result = {};
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeout);
  const shot = (name) => page.screenshot({ path: join(input.screenshotDir, `${name}.png`), fullPage: true });

  await page.goto(input.authorizeURL);
  await page.waitForSelector('form#login');
  result.loginTitle = (await page.textContent('h1')).trim();
  result.loginLang = await page.getAttribute('html', 'lang');
  await shot('login');
  await page.fill('#email', input.email);
  await page.fill('#password', input.password);
  await Promise.all([page.waitForNavigation(), page.click('form#login button[type=submit]')]);

  if (input.scenario === 'wrong-password') {
    result.loginError = (await page.textContent('#error')).trim();
    await shot('login-error');
  } else if (input.scenario === 'remembered') {
    await page.waitForURL((url) => url.href.startsWith(input.callbackPrefix));
    await page.waitForSelector('#received');
    result.finalText = (await page.textContent('#received')).trim();
  } else if (input.scenario === 'withdraw') {
    await page.waitForSelector('#apps');
    result.apps = await page.$$eval('#apps > li', (items) => items.map((li) => li.dataset.client));
    await shot('account');
    await Promise.all([page.waitForNavigation(), page.click(`#apps > li[data-client="${input.clientId}"] form.withdraw button`)]);
    await page.waitForSelector('form#withdraw');
    result.question = (await page.textContent('#question')).trim();
    await shot('withdraw');
    await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
    result.finalText = (await page.textContent('#message')).trim();
    await shot('withdrawn');
  } else {
    await page.waitForSelector('form#consent');
    result.consentText = (await page.textContent('#intro')).trim();
    result.scopes = await page.$$eval('#scopes li', (items) => items.map((li) => li.dataset.scope));
    result.logoShown = (await page.$('#logo')) !== null;
    await shot('consent');
    const button = input.scenario === 'deny' ? '#deny' : '#allow';
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(input.callbackPrefix)),
      page.click(button),
    ]);
    await page.waitForSelector('#received');
    result.finalText = (await page.textContent('#received')).trim();
    if (input.tokenURL) await readTokens(page, input, result);
  }
  result.finalURL = page.url();
  process.stdout.write(JSON.stringify(result));
} finally {
  await context.close();
}
