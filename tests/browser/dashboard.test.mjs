// The dashboard end to end in headless Chromium (Debian's, through playwright-core): sign in
// with a token (a wrong one is refused), add a goal through the form and see it listed, see its
// plan drawn on the goal page, approve its waiting noop tasks from the inbox and watch them
// complete live (no reload), requeue a dead letter, read a task's timeline, visit every other
// view, check the phone layout, keyboard focus and that a revoked session goes back to sign-in.
// Any console error (a CSP violation included) fails the run. Started by run.sh, which passes
// JUGGERNAUT_URL, JUGGERNAUT_TOKEN, JUGGERNAUT_BIN, JUGGERNAUT_WORKDIR, CHROMIUM and ARTIFACTS.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';

const { JUGGERNAUT_URL: base, JUGGERNAUT_TOKEN: token, JUGGERNAUT_BIN: bin, JUGGERNAUT_WORKDIR: workdir,
  CHROMIUM: executablePath, ARTIFACTS: artifacts } = process.env;
for (const [k, v] of Object.entries({ base, token, bin, workdir, executablePath, artifacts })) {
  if (!v) throw new Error(`dashboard.test.mjs: ${k} is not set (run it through run.sh)`);
}
const WAIT = 30_000;

const api = async (p, init = {}) => {
  const r = await fetch(new URL(p, base), { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });
  const body = await r.json();
  if (!r.ok) throw new Error(`${p}: ${r.status} ${JSON.stringify(body)}`);
  return body;
};
const cli = (...args) => JSON.parse(execFileSync(bin, ['--json', ...args], { cwd: workdir, encoding: 'utf8' }));

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
const problems = [];
let shot = 0;
let page;
const snap = async (name) => {
  shot += 1;
  const file = path.join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
};
const step = async (name, fn) => {
  process.stdout.write(`step: ${name}\n`);
  try {
    await fn();
  } catch (e) {
    await snap(`FAILED-${name.replace(/\W+/g, '-')}`).catch(() => {});
    throw e;
  }
};

let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`request outside the origin: ${r.url()}`); });

  await step('sign in', async () => {
    const r = await page.goto(base);
    assert.equal(r.status(), 200);
    await page.getByLabel('API token').waitFor();
    await page.keyboard.press('Tab');
    await page.getByLabel('API token').fill('jgt_not_a_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is not valid.').waitFor({ timeout: WAIT });
    problems.length = 0; // the refused token's 401 is logged by the browser, as it should be
    await snap('sign-in-refused');
    await page.getByLabel('API token').fill(token);
    await page.getByLabel('API token').press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: WAIT });
    await page.getByText('e2e (admin)').waitFor();
    await page.locator('#live[data-state="live"]').waitFor({ timeout: WAIT });
    await snap('overview');
  });

  let goalId;
  await step('add a goal through the form', async () => {
    await page.getByText('Add a goal', { exact: true }).click();
    await page.getByLabel('Title').fill('Grow the e2e business');
    await page.getByLabel('Tags').fill('e2e');
    await page.getByLabel('Budget (USD)').fill('25');
    await page.getByRole('button', { name: 'Add goal' }).click();
    const row = page.getByRole('link', { name: /#\d+ Grow the e2e business/ });
    await row.waitFor({ timeout: WAIT });
    goalId = Number((await row.textContent()).match(/#(\d+)/)[1]);
    await snap('goal-added');
  });

  let first, second;
  await step('see the plan on the goal page', async () => {
    await page.getByRole('link', { name: /#\d+ Grow the e2e business/ }).click();
    await page.getByRole('heading', { name: `Goal #${goalId}: Grow the e2e business` }).waitFor();
    // The planner plans it in the background: the page picks the plan up live.
    await page.locator('[data-testid=plan-graph] [data-key=first][data-status=waiting_approval]').waitFor({ timeout: WAIT });
    await page.locator('[data-testid=plan-graph] [data-key=second]').waitFor();
    assert.equal(await page.locator('[data-testid=plan-graph] path.edge').count(), 1, 'one arrow: first → second');
    const detail = await api(`/api/goals/${goalId}`);
    first = detail.open_tasks.find((t) => t.dedupe_key.endsWith(':first')).id;
    second = detail.open_tasks.find((t) => t.dedupe_key.endsWith(':second')).id;
    await snap('goal-plan');
  });

  await step('approve the waiting task and watch it complete live', async () => {
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.getByRole('link', { name: 'Approvals' }).click();
    const card = page.locator(`[data-testid=approval-${first}]`);
    await card.waitFor({ timeout: WAIT });
    await card.getByText('Risk score 0').waitFor();
    await card.getByText('kind: `noop` is low-risk work').waitFor();
    await snap('approvals-inbox');
    await card.getByLabel('Reason').fill('fine by the e2e test');
    await page.locator(`[data-testid=approve-${first}]`).click();
    await page.locator(`[data-testid=decided-${first}] [data-status=completed]`).waitFor({ timeout: WAIT });
    // The second step now waits too: it appears in the inbox without a reload.
    await page.locator(`[data-testid=approval-${second}]`).waitFor({ timeout: WAIT });
    await snap('approved-first-completed-live');
    await page.locator(`[data-testid=approve-${second}]`).click();
    await page.locator(`[data-testid=decided-${second}] [data-status=completed]`).waitFor({ timeout: WAIT });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    const events = await api(`/api/audit?task=${first}&kind=task.approved`);
    assert.equal(events.items[0].actor, 'token:e2e');
    await snap('approved-both-completed');
  });

  await step('goal page shows the plan done', async () => {
    await page.goto(`${base}#/goals/${goalId}`);
    await page.locator('[data-testid=plan-graph] [data-key=second][data-status=completed]').waitFor({ timeout: WAIT });
    await page.locator('[data-testid=plan-graph] [data-key=first][data-status=completed]').waitFor();
    await snap('goal-plan-completed');
  });

  await step('task page: timeline and evidence', async () => {
    await page.locator('[data-testid=plan-graph] a').first().click();
    await page.getByRole('heading', { name: `Task #${first}: First step` }).waitFor();
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.getByText('task.approved by token:e2e').waitFor();
    await timeline.getByText('task.completed', { exact: false }).waitFor();
    await snap('task-page');
  });

  await step('requeue a dead letter', async () => {
    await page.goto(`${base}#/dead-letters`);
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    const made = cli('task', 'enqueue', 'shell', '--title', 'Fails for good', '--input', '{"command":"exit 3"}', '--max-attempts', '1');
    const id = made.task.id;
    const button = page.locator(`[data-testid=requeue-${id}]`);
    await button.waitFor({ timeout: WAIT }); // it died in the engine; the list showed it live
    await page.getByText('the command exited with 3').first().waitFor();
    await snap('dead-letters');
    await button.click();
    await page.locator('#announce').getByText(`Task ${id} requeued`).waitFor({ timeout: WAIT });
    const requeued = await api(`/api/audit?task=${id}&kind=task.requeued`);
    assert.equal(requeued.items.length, 1, 'one requeue recorded');
    assert.equal(requeued.items[0].actor, 'token:e2e');
    await page.goto(`${base}#/tasks/${id}`);
    await page.locator('[data-testid=timeline]').getByText('task.requeued by token:e2e').waitFor({ timeout: WAIT });
    await snap('dead-letter-requeued');
  });

  await step('every other view loads', async () => {
    for (const [link, heading] of [['Workers', 'Workers'], ['Schedules', 'Schedules'], ['Escalations', 'Escalations'], ['Audit log', 'Audit log'], ['Overview', 'Overview']]) {
      await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      assert.equal(await page.getByText('Could not load this page').count(), 0, heading);
      await snap(link.toLowerCase().replace(/\W+/g, '-'));
    }
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Kinds (comma list)').fill('task.requeued');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'task.approved', exact: true }).first().waitFor({ state: 'detached', timeout: WAIT });
    await page.getByRole('cell', { name: 'task.requeued', exact: true }).first().waitFor();
    const kinds = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    assert.ok(kinds.length > 0 && kinds.every((k) => k === 'task.requeued'), kinds.join(', '));
    await snap('audit-filtered');
  });

  await step('phone layout and keyboard', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    p.on('console', (m) => { if (m.type() === 'error') problems.push(`phone console: ${m.text()}`); });
    await p.goto(base);
    await p.getByLabel('API token').fill(token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: WAIT });
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the overview fits a phone's width (overflow ${overflow}px)`);
    const before = page;
    page = p;
    await snap('phone-overview');
    await p.goto(`${base}#/goals/${goalId}`);
    await p.locator('[data-testid=plan-graph]').waitFor();
    await snap('phone-goal');
    page = before;
    await phone.close();
    // Keyboard: a navigation moves focus to the view's heading; Tab then reaches a real link
    // or button, drawn with a visible focus outline.
    await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.textContent === 'Overview' && document.activeElement.tagName === 'H2');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el.tagName, outline: getComputedStyle(el).outlineStyle };
    });
    assert.ok(['A', 'BUTTON', 'SUMMARY', 'INPUT'].includes(focused.tag), JSON.stringify(focused));
    assert.notEqual(focused.outline, 'none', 'focus is visible');
  });

  await step('a token that stops working goes back to sign-in', async () => {
    await page.evaluate(() => sessionStorage.setItem('juggernaut.token', 'jgt_revoked'));
    await page.getByRole('navigation').getByRole('link', { name: 'Workers' }).click();
    await page.getByText('Your token is no longer valid: sign in again.').waitFor({ timeout: WAIT });
    await page.getByLabel('API token').waitFor();
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('401')));
    await snap('signed-out');
  });

  assert.deepEqual(problems, [], 'no console errors, page errors or foreign requests');
  console.log('dashboard.test.mjs: all steps passed');
} catch (e) {
  failed = true;
  console.error(`dashboard.test.mjs: FAILED: ${e.stack ?? e}`);
  if (problems.length) console.error(`browser problems:\n  ${problems.join('\n  ')}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
