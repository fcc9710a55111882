// The web UI in headless Chromium: every role signs in in turn and walks one case from intake
// to the handed-over invitation, and one case to refusal to accept; each main page is
// screenshotted in Kazakh and Russian and checked for untranslated keys, overflow, blocked
// resources and axe-core violations. Run by crates/cli/tests/ui/main.rs, which starts the
// server and sets SHAQYRU_URL and SHAQYRU_SCREENSHOTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.SHAQYRU_URL;
const SHOTS = process.env.SHAQYRU_SCREENSHOTS;
assert.ok(BASE && SHOTS, 'SHAQYRU_URL and SHAQYRU_SCREENSHOTS are set by the Rust test');
mkdirSync(SHOTS, { recursive: true });

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Every message id of the UI: none may appear on a page as text.
const KEYS = new Set(
  readFileSync(new URL('../crates/web/locales/kk/ui.ftl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => /^[a-z][a-z0-9_-]* =/.test(l))
    .map((l) => l.split(' =')[0])
    .filter((k) => k.includes('-')),
);

const PASSWORD = 'demo-password';
const USERS = {
  operator: 'sc_operator@sc-astana-1',
  office: 'office@mvd-astana',
  head: 'management@mvd-astana',
  executor: 'executor1@mvd-astana',
  knb: 'knb_liaison@knb',
  supervisor: 'supervisor',
};

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
});
after(async () => {
  await browser?.close();
});

/** A fresh browser profile reading the UI in `lang`, failing on any blocked resource. */
async function session(lang) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang === 'kk' ? 'kk-KZ' : 'ru-RU' });
  await context.addCookies([{ name: 'shaqyru_lang', value: lang, url: BASE }]);
  const page = await context.newPage();
  page.problems = [];
  // A refused form's page comes with its 4xx status, on purpose; any other resource must load.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.request().isNavigationRequest()) page.problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  return page;
}

/** The check digit of a machine-readable-zone field (ICAO 9303: weights 7, 3, 1). */
function check(field) {
  const value = (c) => (c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
  return String([...field].reduce((sum, c, i) => sum + value(c) * [7, 3, 1][i % 3], 0) % 10);
}

/** A valid two-line passport zone. */
function mrz({ surname, given, number, nationality, birth, sex, expiry }) {
  const line1 = `P<${nationality}${surname}<<${given}`.padEnd(44, '<');
  const num = number.padEnd(9, '<');
  const personal = '<'.repeat(14);
  const body = `${num}${check(num)}${nationality}${birth}${check(birth)}${sex}${expiry}${check(expiry)}${personal}${check(personal)}`;
  const composite = check(`${num}${check(num)}${birth}${check(birth)}${expiry}${check(expiry)}${personal}${check(personal)}`);
  return `${line1}\n${body}${composite}`;
}

/** Screenshots the page and checks what every main page must satisfy. */
async function inspect(page, lang, name) {
  await page.screenshot({ path: join(SHOTS, `${lang}-${name}.png`), fullPage: true });
  const text = await page.innerText('body');
  const raw = [...KEYS].filter((k) => text.includes(k));
  assert.deepEqual(raw, [], `${lang}/${name}: untranslated keys on the page`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${lang}/${name}: the page is ${overflow}px wider than the window`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${lang}/${name}: the page names its language`);
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`),
    [],
    `${lang}/${name}: axe-core found serious violations`,
  );
  assert.deepEqual(page.problems, [], `${lang}/${name}: the browser reported errors`);
  page.problems.length = 0;
}

async function signIn(page, who) {
  await page.goto(`${BASE}/login`);
  await page.fill('#user', USERS[who]);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/work/), page.click('form[action="/login"] button[type=submit]')]);
}

async function signOut(page) {
  await Promise.all([page.waitForURL(/\/login/), page.click('form[action="/logout"] button')]);
}

/** Fails with the page's own error message when it shows one. */
async function noError(page, what) {
  const error = page.locator('.notice.error');
  if (await error.count()) assert.fail(`${what}: ${await error.first().innerText()}`);
}

/** Performs a step on the open case page: an outcome by its id, or a system step's one button. */
async function act(page, step, outcome, fill) {
  const form = outcome
    ? page.locator(`form[action$="/steps/${step}"]:has(input[name="outcome"][value="${outcome}"])`)
    : page.locator(`form[action$="/steps/${step}"]:not(:has(input[name="outcome"]))`);
  assert.equal(await form.count(), 1, `the case page offers ${step} ${outcome ?? '(system)'}`);
  if (fill) await fill(form);
  await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
  await noError(page, `${step} ${outcome ?? ''}`);
}

/** Signs in as `who`, finds the case on the worklist, performs the step and signs out. */
async function asRole(page, who, reference, step, outcome, fill) {
  await signIn(page, who);
  const row = page.locator('table.list tr', { hasText: reference });
  assert.ok(await row.count(), `${who} sees ${reference} on the worklist`);
  await Promise.all([page.waitForLoadState('load'), row.locator('a').first().click()]);
  await act(page, step, outcome, fill);
  await signOut(page);
}

async function fillAll(page, fields) {
  for (const [selector, value] of fields) await page.fill(selector, value);
}

function applicant(page) {
  return fillAll(page, [
    ['#applicant-iin', '061211600012'],
    ['#applicant-surname', 'Сейтқали'],
    ['#applicant-given_names', 'Әсел'],
    ['#applicant-address', 'Астана қ., Сарыарқа ауданы, Жеңіс даңғылы 15, 42-пәтер'],
    ['#applicant-phone', '+7 701 123 45 67'],
  ]);
}

function trip(page) {
  return fillAll(page, [
    ['#purpose', 'Туысқандарға қонаққа келу'],
    ['#stay_from', '2026-12-10'],
    ['#stay_to', '2026-12-24'],
    ['#places', 'Астана\nАлматы'],
  ]);
}

/** Every error shown next to a field, as `id: text`. */
async function fieldErrors(page) {
  return page.locator('.field-error').evaluateAll((els) => els.map((e) => `${e.id}: ${e.innerText}`));
}

test('one case from intake to the handed-over invitation, every role in turn (kk)', async () => {
  const page = await session('kk');
  await page.goto(`${BASE}/work`);
  assert.match(page.url(), /\/login\?next=%2Fwork/, 'a page asks for sign-in first');
  await inspect(page, 'kk', 'login');

  await page.fill('#user', USERS.operator);
  await page.fill('#password', 'wrong-password');
  await page.click('form[action="/login"] button[type=submit]');
  assert.equal(await page.locator('#login-error').count(), 1, 'a wrong password is refused on the page');
  assert.equal(await page.inputValue('#user'), USERS.operator, 'the user name typed is kept');

  await signIn(page, 'operator');
  await inspect(page, 'kk', 'worklist');
  await page.click('a[href="/intake"].button');
  await inspect(page, 'kk', 'intake');

  // Checking an empty form: every problem next to its field, listed at the top, nothing lost.
  await page.fill('#applicant-surname', 'Сейтқали');
  await page.click('form.wizard button.primary[value=review]');
  assert.ok((await page.locator('.field-error').count()) >= 5, 'errors stand next to the fields');
  assert.equal(await page.inputValue('#applicant-surname'), 'Сейтқали', 'what was typed is kept');
  await inspect(page, 'kk', 'intake-errors');

  await applicant(page);
  await page.fill('#applicant-iin', '061211600013');
  // The invitee is typed once, as the passport's zone: the fields are filled from it.
  await page.fill('#invitees-0-mrz', mrz({ surname: 'SCHMIDT', given: 'ANNA', number: 'L898902C3', nationality: 'DEU', birth: '850312', sex: 'F', expiry: '310101' }));
  await trip(page);
  await page.check('#doc-identity_document');
  await page.check('#doc-application_form');
  await page.check('#doc-passport_copy');
  await page.click('form.wizard button.primary[value=review]');
  assert.match(await page.locator('.field-error').first().innerText(), /ЖСН/, 'a wrong IIN check digit is named in Kazakh');
  assert.equal(await page.inputValue('#invitees-0-surname'), 'SCHMIDT', 'the zone filled the surname');
  assert.equal(await page.inputValue('#invitees-0-birth_date'), '1985-03-12', 'and the date of birth');
  await page.fill('#applicant-iin', '061211600012');
  await page.click('form.wizard button.primary[value=review]');
  await noError(page, 'review');
  await inspect(page, 'kk', 'review');

  // Accepting without confirming the checks at the window is refused.
  await page.click('button[value=accept]');
  assert.equal(await page.locator('.notice.error').count(), 1);
  await page.check('#identified');
  await page.check('#residence');
  await Promise.all([page.waitForURL(/\/receipt$/), page.click('button[value=accept]')]);
  const reference = (await page.locator('#receipt-ref strong').innerText()).trim();
  assert.match(reference, /^\d{4}-\d{6}$/, 'the receipt names the reference number');
  assert.match(await page.innerText('.receipt'), /2026 жылғы \d+ (қараша|желтоқсан)/, 'and the date the result is ready');
  const receiptPdf = page.locator('.receipt a[href*="/documents/"]').first();
  const pdf = await page.request.get(new URL(await receiptPdf.getAttribute('href'), BASE).href);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await inspect(page, 'kk', 'receipt');

  await Promise.all([page.waitForLoadState('load'), page.click('p.no-print a[href^="/cases/"]')]);
  await act(page, 'SC4');
  await inspect(page, 'kk', 'case');
  const caseUrl = page.url();
  await signOut(page);

  await asRole(page, 'office', reference, 'P1', 'registered');
  await asRole(page, 'head', reference, 'P2', 'assigned', (form) => form.locator('select[name=assignee]').selectOption(USERS.executor));
  await signIn(page, 'executor');
  await page.goto(caseUrl);
  await act(page, 'P3');
  await act(page, 'P4');
  await signOut(page);
  await asRole(page, 'knb', reference, 'P5', 'agree');
  await asRole(page, 'executor', reference, 'P6', 'draft_invitation');
  await asRole(page, 'head', reference, 'P7', 'invitation_signed');
  await asRole(page, 'executor', reference, 'P8');
  await asRole(page, 'office', reference, 'P9');
  await asRole(page, 'operator', reference, 'SC5', 'invitation_handed_over');

  await signIn(page, 'operator');
  await page.goto(caseUrl);
  assert.match(await page.innerText('.status-line'), /Шақыру берілді/, 'the case is closed with the invitation issued');
  const invitation = page.locator('ul.documents a[href*="/documents/invitation"]').first();
  const doc = await page.request.get(new URL(await invitation.getAttribute('href'), BASE).href);
  assert.equal(doc.status(), 200);
  assert.equal(doc.headers()['content-type'], 'application/pdf');
  assert.ok((await page.locator('table.timeline tbody tr').count()) > 20, 'the timeline shows every step');
  assert.equal(await page.locator('.diagram svg').count(), 1, 'the process diagram is on the page');
  await inspect(page, 'kk', 'case-closed');
  await signOut(page);

  await signIn(page, 'supervisor');
  await page.goto(`${BASE}/dashboard`);
  assert.ok((await page.locator('section[aria-labelledby=h-steps] tbody tr').count()) >= 10, 'compliance per step');
  await inspect(page, 'kk', 'dashboard');
  const csv = await page.request.get(new URL(await page.locator('a[href^="/dashboard.csv"]').getAttribute('href'), BASE).href);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /P1/);
  await page.goto(`${BASE}/handbook`);
  await inspect(page, 'kk', 'handbook');
  const bpmn = await page.request.get(`${BASE}/handbook.bpmn`);
  assert.match(await bpmn.text(), /<bpmn:definitions|<definitions/);
  await page.context().close();
});

test('a case refused at intake for missing documents, with two invitees (ru)', async () => {
  const page = await session('ru');
  await signIn(page, 'operator');
  await inspect(page, 'ru', 'worklist');
  await page.goto(`${BASE}/intake`);
  await page.click('button[value=add_invitee]');
  assert.equal(await page.locator('fieldset.invitee').count(), 2, 'a second invitee block, without JavaScript');
  await applicant(page);
  for (const [i, p] of [['0', { s: 'ERIKSSON', g: 'ANNA MARIA', n: 'E2222222', c: 'SWE' }], ['1', { s: 'ERIKSSON', g: 'JOHAN', n: 'K1111111', c: 'SWE' }]]) {
    await page.fill(`#invitees-${i}-surname`, p.s);
    await page.fill(`#invitees-${i}-given_names`, p.g);
    await page.selectOption(`#invitees-${i}-sex`, i === '0' ? 'F' : 'M');
    await page.fill(`#invitees-${i}-birth_date`, '1980-05-0' + (Number(i) + 1));
    await page.fill(`#invitees-${i}-citizenship`, p.c);
    await page.fill(`#invitees-${i}-passport_number`, p.n);
    await page.fill(`#invitees-${i}-passport_expires_on`, '2030-01-01');
  }
  await trip(page);
  await page.fill('#stay_to', '2026-12-01');
  await page.check('#doc-identity_document');
  await page.click('form.wizard button.primary[value=review]');
  const errors = await fieldErrors(page);
  assert.deepEqual(errors.filter((e) => !e.startsWith('stay_to-error')), [], 'only the stay is wrong');
  assert.match(errors.join(), /раньше даты въезда/, 'a stay ending before it starts, in Russian');
  await inspect(page, 'ru', 'intake-errors');
  await page.fill('#stay_to', '2026-12-24');
  await page.click('form.wizard button.primary[value=review]');
  await noError(page, 'review');
  assert.equal(await page.locator('button[value=accept]').count(), 0, 'an incomplete package cannot be accepted');
  await inspect(page, 'ru', 'review');
  await Promise.all([page.waitForURL(/\/receipt$/), page.click('button[value=refuse]')]);
  assert.match(await page.innerText('.receipt'), /Копия паспорта/, 'the receipt lists what is missing');
  assert.equal(await page.locator('.receipt a[href*="refusal_to_accept_receipt"]').count() > 0, true, 'with the receipt of refusal to accept');
  await inspect(page, 'ru', 'receipt');
  await page.goto(page.url().replace(/\/receipt$/, ''));
  assert.match(await page.innerText('.status-line'), /Отказано в приёме/);
  await inspect(page, 'ru', 'case');
  await signOut(page);

  await signIn(page, 'supervisor');
  await page.goto(`${BASE}/dashboard`);
  await inspect(page, 'ru', 'dashboard');
  await page.goto(`${BASE}/handbook`);
  await inspect(page, 'ru', 'handbook');
  await page.goto(`${BASE}/login`);
  await inspect(page, 'ru', 'login');
  await page.context().close();
});
