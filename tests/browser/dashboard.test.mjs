// The dashboard end to end in headless Chromium (Debian's, through playwright-core): sign in
// with a token (a wrong one is refused), add a goal through the form and see it listed, see its
// plan drawn on the goal page, approve its waiting noop tasks from the inbox and watch them
// complete live (no reload), requeue a dead letter, read a task's timeline, visit every other
// view, plan a goal again and edit it, add a goal with a manual target and see its forecast,
// follow an experiment to its conclusion and stop another, edit and retire a learning, make a
// report and read it in its frame, check the phone layout, keyboard focus and that a revoked
// session goes back to sign-in.
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

  await step('goal page: plan again and edit the title', async () => {
    await page.goto(`${base}#/goals/${goalId}`);
    await page.getByRole('heading', { name: `Goal #${goalId}: Grow the e2e business` }).waitFor({ timeout: WAIT });
    await page.locator('[data-testid=plan-again]').click();
    await page.locator('[data-testid=plan-asked]').waitFor({ timeout: WAIT });
    const asked = await api('/api/audit?kind=goal.replan_requested&actor=token:e2e');
    assert.ok(asked.items.some((e) => e.goal_id === goalId), 'the request for a new plan is audited as token:e2e');
    await page.getByText('Edit goal', { exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit this goal' });
    await form.getByLabel('Title').fill('Grow the e2e business faster');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: `Goal #${goalId}: Grow the e2e business faster` }).waitFor({ timeout: WAIT });
    assert.equal((await api(`/api/goals/${goalId}`)).goal.title, 'Grow the e2e business faster');
    const edited = await api('/api/audit?kind=goal.edited&actor=token:e2e');
    assert.ok(edited.items.some((e) => e.goal_id === goalId), 'the edit is audited as token:e2e');
    await form.getByLabel('Budget (USD)').fill('');
    await form.getByRole('button', { name: 'Save changes' }).click();
    for (let i = 0; ; i++) {
      if ((await api(`/api/goals/${goalId}`)).goal.budget.money_usd === null) break;
      assert.ok(i < 100, 'an emptied budget field removes the money budget');
      await new Promise((r) => setTimeout(r, 100));
    }
    await snap('goal-edited');
  });

  let leadsId;
  await step('a goal with a manual target: its forecast and projection', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByText('Add a goal', { exact: true }).click();
    const form = page.getByRole('form', { name: 'Add a goal' });
    await form.getByLabel('Title').fill('Sign up 100 leads');
    // The source's own fields show for the source chosen, and only then.
    assert.equal(await form.getByLabel('SQL query').isVisible(), false);
    await form.getByLabel('Metric source').selectOption('sql');
    await form.getByLabel('SQL query').waitFor();
    assert.equal(await form.getByLabel('JSON pointer').isVisible(), false);
    await form.getByLabel('Metric source').selectOption('http_json');
    await form.getByLabel('JSON pointer').waitFor();
    await form.getByLabel('Metric source').selectOption('manual');
    await form.getByLabel('SQL query').waitFor({ state: 'hidden' });
    await form.getByLabel('Target value').fill('100');
    await form.getByLabel('Unit').fill('leads');
    // Close enough that readings a few seconds apart may be extended to it (a forecast extends
    // a line at most a hundred times the span of its readings).
    const deadline = new Date(Date.now() + 3 * 60_000);
    const local = new Date(deadline.getTime() - deadline.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await form.getByLabel('Deadline').fill(local);
    await form.getByRole('button', { name: 'Add goal' }).click();
    const row = page.getByRole('link', { name: /#\d+ Sign up 100 leads/ });
    await row.waitFor({ timeout: WAIT });
    leadsId = Number((await row.textContent()).match(/#(\d+)/)[1]);
    const g = (await api(`/api/goals/${leadsId}`)).goal;
    assert.deepEqual(g.target, { source: { type: 'manual' }, target: 100, unit: 'leads' });
    for (const v of ['10', '20', '30']) {
      cli('goal', 'set-progress', String(leadsId), v);
      await new Promise((r) => setTimeout(r, 1500));
    }
    await page.goto(`${base}#/goals/${leadsId}`);
    await page.locator('[data-testid=forecast] [data-status]').waitFor({ timeout: WAIT });
    await page.locator('[data-testid=metric-chart] [data-testid=forecast-projection]').waitFor({ timeout: WAIT });
    await snap('goal-forecast');
  });

  await step('experiments: a concluded one with its follow-up, stop a running one', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Experiments', exact: true }).click();
    await page.getByRole('heading', { name: 'Experiments', exact: true }).waitFor();
    await page.getByRole('link', { name: /Quote form: instant quote vs callback/ }).click();
    await page.getByRole('heading', { name: /Experiment #\d+: Quote form/ }).waitFor();
    // The leader iterates it in the background; the page follows live until it concludes.
    await page.locator('[data-testid=experiment-verdict] [data-status=winner]').waitFor({ timeout: 90_000 });
    await page.getByTestId('experiment-verdict').getByText('winner: instant').waitFor();
    await page.locator('[data-testid=experiment-chart] [data-variant=instant]').waitFor();
    await page.getByTestId('experiment-follow-ups').getByRole('link', { name: /Roll out the instant quote form/ }).waitFor({ timeout: WAIT });
    await snap('experiment-concluded');
    await page.getByRole('navigation').getByRole('link', { name: 'Experiments', exact: true }).click();
    await page.getByRole('link', { name: /Follow-up call timing/ }).click();
    await page.getByRole('heading', { name: /Experiment #\d+: Follow-up call timing/ }).waitFor();
    const id = Number(page.url().match(/experiments\/(\d+)/)[1]);
    await page.locator('[data-testid=experiment-chart]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Stop experiment' }).click();
    await page.getByText('Say why you stop it.').waitFor();
    await page.getByLabel('Why stop it').fill('the e2e test has seen enough');
    await page.getByRole('button', { name: 'Stop experiment' }).click();
    await page.locator('.meta [data-status=stopped]').waitFor({ timeout: WAIT });
    assert.equal((await api(`/api/experiments/${id}`)).experiment.stop_reason, 'the e2e test has seen enough');
    await snap('experiment-stopped');
  });

  await step('learnings: edit one, retire it, bring it back', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Learnings', exact: true }).click();
    await page.getByRole('heading', { name: 'Learnings', exact: true }).waitFor();
    // The leader's learner captured the ended tasks: the approved noop steps among them.
    const card = page.locator('article.learning').filter({ hasText: 'noop succeeded' }).first();
    await card.waitFor({ timeout: WAIT });
    const id = Number((await card.getAttribute('data-testid')).match(/(\d+)$/)[1]);
    await card.getByText('Edit summary and tags').click();
    await card.getByLabel('Summary').fill('Noop steps finish once a person approves them.');
    await card.getByLabel('Tags (comma separated)').fill('e2e, approvals');
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId(`learning-summary-${id}`).getByText('Noop steps finish once a person approves them.').waitFor({ timeout: WAIT });
    const edited = await api(`/api/learnings/${id}`);
    assert.deepEqual(edited.tags, ['e2e', 'approvals']);
    assert.equal(edited.edited_by, 'token:e2e');
    await snap('learnings');
    await page.locator(`[data-testid=retire-learning-${id}]`).click();
    await page.locator(`[data-testid=learning-${id}]`).waitFor({ state: 'detached', timeout: WAIT });
    await page.getByLabel('Include retired').check();
    await page.locator(`[data-testid=unretire-learning-${id}]`).click();
    await page.locator(`[data-testid=retire-learning-${id}]`).waitFor({ timeout: WAIT });
    assert.equal((await api(`/api/learnings/${id}`)).retired_at, null);
  });

  await step('reports: make one now and read it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { name: 'Reports', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Make a report now' }).click();
    await page.getByRole('heading', { name: /^Report #\d+: / }).waitFor({ timeout: WAIT });
    const frame = page.locator('[data-testid=report-frame]');
    assert.equal(await frame.getAttribute('sandbox'), 'allow-same-origin', 'the frame runs nothing');
    assert.ok((await frame.getAttribute('srcdoc')).includes('<svg'), 'the report has its SVG charts');
    await page.frameLocator('[data-testid=report-frame]').locator('svg').first().waitFor({ timeout: WAIT });
    await page.frameLocator('[data-testid=report-frame]').getByText('Grow the e2e business faster').first().waitFor();
    await page.getByText('Show the Markdown').click();
    await page.getByTestId('report-markdown').getByText('# ', { exact: false }).first().waitFor();
    await snap('report');
    // A task link in the report opens the task in the dashboard, not in the frame.
    await page.frameLocator('[data-testid=report-frame]').getByRole('link', { name: /^(task |#)\d+$/ }).first().click();
    await page.getByRole('heading', { name: /^Task #\d+: / }).waitFor({ timeout: WAIT });
    await page.getByRole('navigation').getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('link', { name: /^#\d+ Executive report/ }).first().waitFor();
    await snap('reports');
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
    for (const [route, name, title] of [['/experiments/1', 'experiment', /^Experiment #1: /], ['/learnings', 'learnings', 'Learnings'],
      ['/reports/1', 'report', /^Report #1: /]]) {
      await p.goto(`${base}#${route}`);
      await p.getByRole('heading', { name: title }).waitFor({ timeout: WAIT });
      const wide = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 1, `${route} fits a phone's width (overflow ${wide}px)`);
      await snap(`phone-${name}`);
    }
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
