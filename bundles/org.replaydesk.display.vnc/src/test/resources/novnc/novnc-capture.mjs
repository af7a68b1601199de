// Connects noVNC, running in headless Chromium, to a ws:// VNC endpoint and saves what its canvas shows as a PNG.
// Used by NoVncBrowser (Java test helper); one run = one connection = one picture.
//
//   node novnc-capture.mjs --deps DIR --ws ws://127.0.0.1:5799/ --out screen.png
//        [--password SECRET] [--browser /usr/bin/chromium] [--timeout-ms 30000] [--stable-ms 700]
//        [--log warn|info|debug]  (noVNC's own logging, shown in the failure message)
//        [--quality 0..9] [--compression 0..9]  (noVNC's qualityLevel / compressionLevel; its defaults are 6 and 2,
//        so unless told otherwise it always asks for JPEG quality 6 and zlib level 2)
//
// DIR is what scripts/npm-test-deps.sh prints (it holds node_modules/@novnc/novnc and node_modules/playwright-core).
// The page is served from a throwaway HTTP server on 127.0.0.1 because Chromium does not load ES modules from
// file:// URLs. The picture is taken once noVNC has said "connect" and the canvas has stayed the same, and not
// all black, for --stable-ms: the tests pause the VM first, so a still canvas is the whole frame.
//
// stdout: one JSON line {"width":..,"height":..,"millis":..}. Failure: exit status 2 and a message on stderr that
// says what noVNC reported (disconnect, security failure) and what the browser console printed.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

/** A failure the message explains fully: reported without a stack trace. */
class CaptureFailure extends Error {}

const args = parseArgs(process.argv.slice(2));
const started = Date.now();
const timeoutMs = Number(args['timeout-ms'] ?? 30000);
const stableMs = Number(args['stable-ms'] ?? 700);
const novncRoot = join(required('deps'), 'node_modules', '@novnc', 'novnc');
const { chromium } = createRequire(join(required('deps'), 'node_modules', '/'))('playwright-core');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>noVNC capture</title>
<style>html,body{margin:0;background:#000}#screen{width:100vw;height:100vh}</style></head>
<body><div id="screen"></div>
<script type="module">
import RFB from '/novnc/core/rfb.js';
import { initLogging } from '/novnc/core/util/logging.js';
const params = new URLSearchParams(location.search);
initLogging(params.get('log') ?? 'warn');
const state = window.captureState = { connected: false, events: [] };
const options = { shared: true, wsProtocols: ['binary'] };
if (params.has('password')) {
  options.credentials = { password: params.get('password') };
}
const rfb = new RFB(document.getElementById('screen'), params.get('ws'), options);
rfb.scaleViewport = false;
rfb.resizeSession = false;
if (params.has('quality')) {
  rfb.qualityLevel = Number(params.get('quality'));
}
if (params.has('compression')) {
  rfb.compressionLevel = Number(params.get('compression'));
}
rfb.addEventListener('connect', () => { state.connected = true; state.events.push('connect'); });
rfb.addEventListener('disconnect', e => { state.disconnected = true; state.events.push('disconnect clean=' + e.detail.clean); });
rfb.addEventListener('securityfailure', e => state.events.push('securityfailure status=' + e.detail.status + ' reason=' + e.detail.reason));
rfb.addEventListener('credentialsrequired', () => state.events.push('credentialsrequired (no or wrong --password?)'));
window.captureCanvas = () => {
  const canvas = document.querySelector('#screen canvas');
  return canvas ? { width: canvas.width, height: canvas.height, png: canvas.toDataURL('image/png') } : null;
};
</script></body></html>`;

const MIME = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    return;
  }
  const relative = normalize(path.replace(/^\/novnc\//, ''));
  if (!path.startsWith('/novnc/') || relative.startsWith('..')) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(join(novncRoot, relative));
    res.writeHead(200, { 'content-type': MIME[extname(relative)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));

const consoleLines = [];
let browser;
try {
  browser = await chromium.launch({
    executablePath: args.browser ?? '/usr/bin/chromium',
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox; the page is our own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: timeoutMs,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1024 }, deviceScaleFactor: 1 });
  page.on('console', m => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', e => consoleLines.push(`pageerror: ${e.message}`));
  const query = new URLSearchParams({ ws: required('ws'), log: args.log ?? 'warn' });
  for (const name of ['password', 'quality', 'compression']) {
    if (args[name] !== undefined) {
      query.set(name, args[name]);
    }
  }
  await page.goto(`http://127.0.0.1:${server.address().port}/?${query}`);

  const deadline = started + timeoutMs;
  let last = null;
  let sameSince = 0;
  for (;;) {
    const state = await page.evaluate(() => window.captureState);
    if (state?.disconnected || state?.events.some(e => e.startsWith('securityfailure'))) {
      throw new CaptureFailure(`noVNC did not stay connected: ${state.events.join(', ')}`);
    }
    if (state?.connected) {
      const shot = await page.evaluate(() => window.captureCanvas());
      if (shot && shot.width > 0 && shot.png === last?.png && !(await allBlack(page))) {
        if (Date.now() - sameSince >= stableMs) {
          await writeFile(required('out'), Buffer.from(shot.png.split(',')[1], 'base64'));
          console.log(JSON.stringify({ width: shot.width, height: shot.height, millis: Date.now() - started }));
          break;
        }
      } else {
        last = shot;
        sameSince = Date.now();
      }
    }
    if (Date.now() > deadline) {
      throw new CaptureFailure(`no still, non-black picture within ${timeoutMs} ms; noVNC events: `
        + `${(state?.events ?? []).join(', ') || 'none'}`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
} catch (e) {
  process.stderr.write(`novnc-capture: ${e instanceof CaptureFailure ? e.message : e.stack ?? e}\n`);
  if (consoleLines.length) {
    process.stderr.write(`browser console:\n  ${consoleLines.slice(-30).join('\n  ')}\n`);
  }
  process.exitCode = 2;
} finally {
  await browser?.close();
  server.close();
}

async function allBlack(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('#screen canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] | data[i + 1] | data[i + 2]) {
        return false;
      }
    }
    return true;
  });
}

function required(name) {
  if (args[name] === undefined) {
    process.stderr.write(`novnc-capture: missing --${name}\n`);
    process.exit(64);
  }
  return args[name];
}

function parseArgs(list) {
  const out = {};
  for (let i = 0; i < list.length; i += 2) {
    if (!list[i].startsWith('--') || i + 1 >= list.length) {
      process.stderr.write(`novnc-capture: bad arguments near '${list[i]}'\n`);
      process.exit(64);
    }
    out[list[i].slice(2)] = list[i + 1];
  }
  return out;
}
