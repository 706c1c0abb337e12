// Browser test of the `genlab serve` playground page, in headless Chromium.
//
//   npm install            (in this folder: installs playwright-core, no browsers)
//   node playground.mjs http://127.0.0.1:PORT SCREENSHOT.png
//
// Uses the Chromium at $CHROMIUM (default /usr/bin/chromium). Every step prints a line; the
// first failure prints `FAIL: ...` and exits with code 1 (after a best-effort screenshot).

import { chromium } from 'playwright-core';

const [base, shot] = process.argv.slice(2);
if (!base || !shot) {
  console.error('usage: node playground.mjs http://127.0.0.1:PORT SCREENSHOT.png');
  process.exit(2);
}

const OVERALL_MS = 90_000;
const overall = setTimeout(() => {
  console.error(`FAIL: the browser test took longer than ${OVERALL_MS / 1000} s`);
  process.exit(1);
}, OVERALL_MS);

function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** Sets a range input's value the way a user drag would, firing `input`. */
async function setRange(page, id, value) {
  await page.$eval(`#${id}`, (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** The visible text of the label of input `id` (it holds the live value). */
async function labelText(page, id) {
  return (await page.locator(`label[for="${id}"]`).innerText()).replace(/\s+/g, ' ').trim();
}

const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
let browser;
try {
  browser = await chromium.launch({
    executablePath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
} catch (e) {
  console.error(`FAIL: could not launch Chromium at ${executablePath}: ${e.message}`);
  process.exit(1);
}
const pageErrors = []; // uncaught exceptions in the page: a failure
const consoleErrors = []; // console.error lines: printed, not fatal
let page;
let failed = false;
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // 1. The page loads and lists the text models.
  await page.goto(base.replace(/\/$/, '') + '/', { waitUntil: 'domcontentloaded' });
  check((await page.title()) === 'genlab playground', `unexpected page title ${JSON.stringify(await page.title())}`);
  try {
    await page.waitForFunction(() => document.querySelector('#text_model')?.options.length > 0, null, { timeout: 15_000 });
  } catch {
    const banner = await page.locator('#banner').innerText().catch(() => '');
    throw new Error(`the text model select got no option${banner ? ': ' + banner : ''}`);
  }
  const textModel = await page.$eval('#text_model', (s) => s.value);
  console.log(`1. page loaded; text model ${textModel}`);

  // 2. Prompt and temperature, whose label must follow the slider.
  await page.fill('#prompt', 'ROMEO:');
  await setRange(page, 'temperature', 0.5);
  const tempLabel = await labelText(page, 'temperature');
  check(/\b0\.50?\b/.test(tempLabel), `the temperature label shows ${JSON.stringify(tempLabel)}, not 0.5`);
  console.log(`2. prompt typed; temperature label reads ${JSON.stringify(tempLabel)}`);

  // 3. Max tokens and seed, then generate (recording #output's length at every change,
  //    in the page itself, with no round trip to Node for each reading).
  await setRange(page, 'max_tokens', 400);
  const maxLabel = await labelText(page, 'max_tokens');
  check(/\b400\b/.test(maxLabel), `the max tokens label shows ${JSON.stringify(maxLabel)}, not 400`);
  await page.fill('#seed', '7');
  await page.evaluate(() => {
    // Every change to #output records its length: a stream shows many, a buffered answer one.
    const out = document.querySelector('#output');
    window.__lengths = [];
    window.__observer = new MutationObserver(() => window.__lengths.push(out.textContent.length));
    window.__observer.observe(out, { childList: true, subtree: true, characterData: true });
  });
  await page.click('#generate');
  console.log('3. max tokens 400, seed 7; generate clicked');

  // 4. Text arrives, and arrives progressively.
  await page.waitForFunction(() => document.querySelector('#output').textContent.length > 0, null, { timeout: 30_000 })
    .catch(async () => {
      throw new Error(`no text appeared in #output; status: ${await page.locator('#status').innerText()}`);
    });
  // The status line says when the generation ended (data-state done/error/stopped, or a tok/s figure).
  await page.waitForFunction(() => {
    const s = document.querySelector('#status');
    return ['done', 'error', 'stopped'].includes(s.dataset.state) || /tok\/s/.test(s.textContent);
  }, null, { timeout: 45_000 });
  const lengths = await page.evaluate(() => { window.__observer.disconnect(); return window.__lengths; });
  const finalLength = await page.$eval('#output', (o) => o.textContent.length);
  const seen = lengths.filter((n, i) => i === 0 || n !== lengths[i - 1]); // the distinct steps, in order
  const partial = new Set(lengths.filter((n) => n > 0 && n < finalLength));
  const shown = seen.length > 12 ? [...seen.slice(0, 8), '…', ...seen.slice(-3)] : seen;
  console.log(`4. ${seen.length} output lengths seen while streaming: ${shown.join(' → ')} (final ${finalLength})`);
  check(partial.size >= 2,
    `the text did not appear progressively: ${partial.size} partial length(s) seen before the final ${finalLength} ` +
    `(observed ${seen.join(', ')}); the stream may be buffered, or the generation too fast to see`);

  // 5. The status line shows it finished, and a token's tooltip shows probabilities.
  const status = (await page.locator('#status').innerText()).trim();
  const state = await page.$eval('#status', (s) => s.dataset.state || '');
  check(state !== 'error' && state !== 'stopped', `the generation did not finish: ${status}`);
  console.log(`5. status: ${status}`);
  const tok = page.locator('#output .tok').filter({ hasText: /\S/ }).first();
  check(await tok.count() > 0, 'the output has no visible .tok span');
  await tok.hover();
  const handle = await tok.elementHandle();
  const tip = await page.waitForFunction((span) => {
    const title = span.getAttribute('title') || '';
    if (title.includes('%')) return title;
    const t = document.querySelector('#tip, .tooltip');
    const shown = t && getComputedStyle(t).display !== 'none' && getComputedStyle(t).visibility !== 'hidden';
    return shown && t.textContent.includes('%') ? t.textContent : false;
  }, handle, { timeout: 3_000 }).then((h) => h.jsonValue()).catch(() => null);
  check(tip, 'hovering a token showed no tooltip or title with a probability (%)');
  console.log(`   token ${JSON.stringify(await tok.innerText())} tooltip: ${tip.replace(/\s+/g, ' ').slice(0, 100)}`);
  await page.mouse.move(0, 0);

  // 6. The image tab makes at least one picture with the first image model.
  await page.click('#tab-image');
  const imageModels = await page.$$eval('#image_model option', (os) => os.map((o) => o.value));
  if (imageModels.length === 0) {
    console.log('6. skipped: the server has no image models');
  } else {
    await page.selectOption('#image_model', { index: 0 });
    let button = '#class_grid';
    if (!(await page.isVisible(button))) button = (await page.isVisible('#sample')) ? '#sample' : '#image_generate';
    await page.click(button);
    const outcome = await page.waitForFunction(() => {
      if ([...document.querySelectorAll('#images img')].some((i) => i.complete && i.naturalWidth > 0)) return 'ok';
      const s = document.querySelector('#image_status');
      return s && s.dataset.state === 'error' ? s.textContent : false;
    }, null, { timeout: 30_000 }).then((h) => h.jsonValue());
    check(outcome === 'ok', `no image appeared: ${outcome}`);
    const count = await page.$$eval('#images img', (is) => is.filter((i) => i.naturalWidth > 0).length);
    console.log(`6. image model ${imageModels[0]}: ${button} made ${count} image(s)`);
  }

  // 7. Back to the text tab for the screenshot, output visible.
  await page.click('#tab-text');
  await page.waitForSelector('#output', { state: 'visible' });
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`7. screenshot written to ${shot}`);
  if (consoleErrors.length) console.log(`   console errors (not fatal): ${consoleErrors.join(' | ')}`);
  check(pageErrors.length === 0, `the page threw: ${pageErrors.join(' | ')}`);
  console.log('browser test passed');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
  if (pageErrors.length) console.error(`page errors: ${pageErrors.join(' | ')}`);
  if (consoleErrors.length) console.error(`console errors: ${consoleErrors.join(' | ')}`);
  if (page) await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
} finally {
  await browser.close().catch(() => {});
  clearTimeout(overall);
}
process.exit(failed ? 1 : 0);
