// End to end in a real workbench: installs the built .vsix into code-server, starts code-server
// headless on 127.0.0.1, drives Debian's chromium with puppeteer-core, and checks what a person
// would see with a go.mod open: the language, the server's diagnostic in the Problems count and
// panel, hovers on the version and on `require`, completion labels, the status bar item, and a
// server restart after which the server answers again. scripts/test runs it in CI.
//
//   set -a; eval "$(scripts/install-e2e-deps.sh)"; set +a   # GOMODLS_E2E_NODE, _CODE_SERVER
//   scripts/package.sh                      # the .vsix (or set GOMODLS_VSIX)
//   node test/e2e.mjs
//
// Environment: GOMODLS_VSIX (default: the one .vsix in dist/), GOMODLS_E2E_NODE (Node 24 that
// runs code-server), GOMODLS_E2E_CODE_SERVER (code-server's out/node/entry.js),
// GOMODLS_E2E_CHROMIUM (default /usr/bin/chromium), GOMODLS_E2E_ARTIFACTS (screenshots and
// logs; default target/vscode-e2e at the repository root, each path printed). Without Node 24
// and code-server it runs scripts/install-e2e-deps.sh; a missing tool fails the test.
// Only 127.0.0.1 is contacted; the server gets GOPROXY=off so it never reaches the network.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import puppeteer from 'puppeteer-core';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.resolve(process.env.GOMODLS_E2E_ARTIFACTS ?? path.join(root, '..', '..', 'target', 'vscode-e2e'));
const chromium = process.env.GOMODLS_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** How long one UI condition may take before the step fails (a wait bound, not a timing assertion). */
const WAIT_MS = 60_000;
const isMac = process.platform === 'darwin';
const mod = isMac ? 'Meta' : 'Control';

const GO_MOD = ['module example.com/e2e', '', 'go 1.22', '', 'require example.com/a v1.2', ''].join('\n');
/** What the server says about the fixture's one problem (`gomodls check` prints the same). */
const DIAGNOSTIC = 'version "v1.2" is not canonical: go rewrites it as v1.2.0';
/** The versions of example.com/b in the test's module cache. */
const CACHED_VERSIONS = ['v1.0.0', 'v1.1.0'];

let tmp;
let userData;
let codeServer;
let offeredCommands = [];
let browser;
let page;
const codeServerLog = [];

function resolveTools() {
    let nodeBinary = process.env.GOMODLS_E2E_NODE;
    let entry = process.env.GOMODLS_E2E_CODE_SERVER;
    if (!nodeBinary || !entry) {
        const printed = execFileSync('bash', [path.join(root, 'scripts', 'install-e2e-deps.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        const vars = Object.fromEntries(printed.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
        nodeBinary ??= vars.GOMODLS_E2E_NODE;
        entry ??= vars.GOMODLS_E2E_CODE_SERVER;
    }
    let vsix = process.env.GOMODLS_VSIX;
    if (!vsix) {
        const dist = path.join(root, 'dist');
        const found = existsSync(dist) ? readdirSync(dist).filter((name) => name.endsWith('.vsix')) : [];
        assert.equal(found.length, 1, `expected one .vsix in ${dist} (run scripts/package.sh), found ${JSON.stringify(found)}`);
        vsix = path.join(dist, found[0]);
    }
    for (const [what, file] of [['Node 24', nodeBinary], ['code-server', entry], ['the .vsix', vsix], ['chromium', chromium]]) {
        assert.ok(file && existsSync(file), `${what} not found at ${file}`);
    }
    return { nodeBinary, entry, vsix };
}

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

async function waitForHttp(url, child) {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`code-server exited with ${child.exitCode}:\n${codeServerLog.join('')}`);
        }
        try {
            const response = await fetch(url);
            if (response.ok) {
                return;
            }
        } catch {
            // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`code-server did not answer ${url}:\n${codeServerLog.join('')}`);
}

async function screenshot(name) {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, `${name}.png`);
    // Not beyond the viewport: that resizes the page, which closes hovers and moves panels.
    await page.screenshot({ path: file, captureBeyondViewport: false });
    console.log(`screenshot: ${file}`);
    return file;
}

/**
 * The Problems count in the status bar, as `{ errors, warnings, label }`, once `accept` holds
 * for it (or the last one seen when the wait runs out).
 */
async function waitForProblemCounts(accept) {
    const read = () =>
        page.evaluate(() => {
            const item = document.querySelector('.statusbar-item[id="status.problems"]');
            const label = item?.getAttribute('aria-label') ?? item?.textContent ?? '';
            const count = (pattern) => Number(pattern.exec(label)?.[1] ?? 0);
            return { found: item !== null, errors: count(/Errors?:\s*(\d+)/i), warnings: count(/Warnings?:\s*(\d+)/i), label };
        });
    const deadline = Date.now() + WAIT_MS;
    let counts = await read();
    while (!(counts.found && accept(counts)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        counts = await read();
    }
    assert.ok(counts.found, 'the status bar has the Problems item');
    return counts;
}

/**
 * Hovers the token `text` on the line starting with `lineStart` and waits until the hover's text
 * contains `wanted` (hover parts can arrive one after another). Returns the hover's text; fails
 * with the last text seen.
 */
async function hoverText(lineStart, text, wanted) {
    const current = () => page.evaluate(() => document.querySelector('.monaco-editor .monaco-hover:not(.hidden)')?.textContent.trim() ?? '');
    const deadline = Date.now() + WAIT_MS;
    let shown = '';
    // A hover that does not come (the pointer event landed while the editor was busy) is asked
    // for again: the pointer leaves the editor and comes back.
    while (Date.now() < deadline) {
        await page.mouse.move(5, 5);
        await page.waitForFunction(() => document.querySelector('.monaco-editor .monaco-hover:not(.hidden) .hover-contents') === null, { timeout: WAIT_MS });
        const box = await tokenBox(lineStart, text);
        assert.ok(box, `${text} is on screen`);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
        const found = await page
            .waitForFunction((wanted) => (document.querySelector('.monaco-editor .monaco-hover:not(.hidden)')?.textContent ?? '').includes(wanted), { timeout: 10_000 }, wanted)
            .then(() => true)
            .catch(() => false);
        shown = await current();
        if (found) {
            return shown;
        }
    }
    assert.fail(`hover on ${text} shows ${JSON.stringify(wanted)}; it shows ${JSON.stringify(shown)}`);
}

/** Takes back what was typed on the cursor's line (the last, empty one): the document is the fixture again. */
async function clearLine() {
    await page.keyboard.press('End');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Home');
    await page.keyboard.up('Shift');
    await page.keyboard.press('Backspace');
    await page.waitForFunction((fixture) => {
        const lines = [...document.querySelectorAll('.editor-instance .monaco-editor .view-line')]
            .map((line) => ({ top: parseFloat(line.style.top), text: line.textContent.replace(/\u00a0/g, ' ') }))
            .sort((x, y) => x.top - y.top)
            .map((line) => line.text);
        return lines.join('\n') === fixture;
    }, { timeout: WAIT_MS }, GO_MOD);
}

/** The file the extension's `gomodls` output channel (a log channel) is written to. */
function outputLogFile() {
    const found = [];
    const walk = (dir) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name === 'gomodls.log' || entry.name.endsWith('-gomodls.log')) {
                found.push(full);
            }
        }
    };
    walk(path.join(userData, 'logs'));
    assert.ok(found.length > 0, `the gomodls output log under ${path.join(userData, 'logs')}`);
    return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** Runs a command from the command palette by its title. */
async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = await page.waitForSelector('.quick-input-widget .quick-input-box input', { visible: true, timeout: WAIT_MS });
    await input.type(title);
    await page.waitForFunction(
        (wanted) => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')].some((row) => row.textContent.includes(wanted)),
        { timeout: WAIT_MS },
        title,
    );
    await page.keyboard.press('Enter');
}

/** The text of every status bar item. */
function statusBarTexts() {
    return page.$$eval('.statusbar-item', (items) => items.map((item) => `${item.textContent.trim()} | ${item.getAttribute('aria-label') ?? ''}`));
}

/**
 * Waits until this extension's status bar item shows a running server: its icon is one of
 * src/status.ts's running icons (check, cloud, database, cloud-offline), not the spinner,
 * circle-slash (stopped) or error (failed) ones. Returns its text and icon.
 */
async function waitForRunningStatus() {
    const running = ['codicon-check', 'codicon-cloud', 'codicon-database', 'codicon-cloud-offline'];
    const handle = await page.waitForFunction(
        (running) => {
            const item = [...document.querySelectorAll('.statusbar-item')].find((element) => /^gomodls\b/.test(element.textContent.trim()));
            const icon = item ? [...item.querySelectorAll('.codicon')].flatMap((element) => [...element.classList]).find((name) => name.startsWith('codicon-')) : undefined;
            return icon !== undefined && running.includes(icon) ? { text: item.textContent.trim(), icon } : false;
        },
        { timeout: WAIT_MS },
        running,
    );
    return handle.jsonValue();
}

/** The `.view-line` span of the editor that reads exactly `text` on the line starting with `lineStart`. */
async function tokenBox(lineStart, text) {
    return page.evaluate(
        ({ lineStart, text }) => {
            for (const line of document.querySelectorAll('.editor-instance .monaco-editor .view-line')) {
                if (!line.textContent.replace(/\u00a0/g, ' ').startsWith(lineStart)) {
                    continue;
                }
                for (const span of line.querySelectorAll('span span')) {
                    if (span.textContent === text) {
                        const box = span.getBoundingClientRect();
                        return { x: box.x, y: box.y, width: box.width, height: box.height };
                    }
                }
            }
            return null;
        },
        { lineStart, text },
    );
}

/**
 * Asks the server binary installed with the extension what it offers, the way the extension
 * does: `initialize` over stdio. Returns the server's capabilities.
 */
async function serverCapabilities(binary) {
    const child = spawn(binary, ['--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const send = (message) => {
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
        child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
        child.stdin.write(body);
    };
    const response = new Promise((resolve, reject) => {
        let buffer = Buffer.alloc(0);
        child.on('error', reject);
        child.on('exit', (code) => reject(new Error(`the server exited with ${code} before answering initialize`)));
        child.stdout.on('data', (chunk) => {
            buffer = Buffer.concat([buffer, chunk]);
            for (;;) {
                const headerEnd = buffer.indexOf('\r\n\r\n');
                if (headerEnd < 0) {
                    return;
                }
                const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString('latin1'))?.[1]);
                if (buffer.length < headerEnd + 4 + length) {
                    return;
                }
                const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
                buffer = buffer.subarray(headerEnd + 4 + length);
                if (message.id === 1) {
                    resolve(message.result?.capabilities ?? {});
                }
            }
        });
    });
    send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
    try {
        return await response;
    } finally {
        send({ id: 2, method: 'shutdown' });
        send({ method: 'exit' });
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }
}

let stepNumber = 0;

/** A test that saves a screenshot of the workbench when it fails, for the CI artifacts. */
function step(name, body) {
    const number = String(++stepNumber).padStart(2, '0');
    test(name, async () => {
        try {
            await body();
        } catch (error) {
            if (page) {
                await screenshot(`failed-${number}`).catch(() => undefined);
            }
            throw error;
        }
    });
}

before(async () => {
    const { nodeBinary, entry, vsix } = resolveTools();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'gomodls-e2e-'));
    userData = path.join(tmp, 'user-data');
    const extensions = path.join(tmp, 'extensions');
    const workspace = path.join(tmp, 'workspace');
    const goPath = path.join(tmp, 'gopath');
    for (const dir of [userData, path.join(userData, 'User'), extensions, workspace, goPath]) {
        mkdirSync(dir, { recursive: true });
    }
    writeFileSync(path.join(workspace, 'go.mod'), GO_MOD);
    // The module cache knows another module's versions, as after `go mod download`: the server
    // completes them without the network. (example.com/a, in the fixture, is not cached.)
    const cached = path.join(goPath, 'pkg', 'mod', 'cache', 'download', 'example.com', 'b', '@v');
    mkdirSync(cached, { recursive: true });
    writeFileSync(path.join(cached, 'list'), `${CACHED_VERSIONS.join('\n')}\n`);
    for (const [index, version] of CACHED_VERSIONS.entries()) {
        writeFileSync(path.join(cached, `${version}.info`), JSON.stringify({ Version: version, Time: `2024-0${index + 1}-01T00:00:00Z` }));
        writeFileSync(path.join(cached, `${version}.mod`), 'module example.com/b\n\ngo 1.21\n');
    }
    writeFileSync(
        path.join(userData, 'User', 'settings.json'),
        JSON.stringify(
            {
                'workbench.startupEditor': 'none',
                'workbench.tips.enabled': false,
                'workbench.enableExperiments': false,
                'telemetry.telemetryLevel': 'off',
                'update.mode': 'none',
                'extensions.autoCheckUpdates': false,
                'extensions.autoUpdate': false,
                'extensions.ignoreRecommendations': true,
                'security.workspace.trust.enabled': false,
                // Completion items must come from the server, not from words in the file.
                'editor.wordBasedSuggestions': 'off',
                'editor.hover.delay': 100,
                // Keep the screenshots about the editor: no chat side bar.
                'chat.disableAIFeatures': true,
                'workbench.secondarySideBar.defaultVisibility': 'hidden',
                'gomodls.trace.server': 'messages',
                'gomodls.env': { GOPROXY: 'off', GOSUMDB: 'off', GOFLAGS: '-mod=mod' },
            },
            null,
            2,
        ),
    );
    writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');

    const env = {
        ...process.env,
        GOPROXY: 'off',
        GOSUMDB: 'off',
        GOPATH: goPath,
        GOMODCACHE: path.join(goPath, 'pkg', 'mod'),
        // The server keeps module data in the user cache directory: a fresh one, so nothing
        // fetched by another run or program shows up here.
        XDG_CACHE_HOME: path.join(tmp, 'cache'),
        GOMODLS_LOG: 'debug',
        // code-server's extension gallery: a closed port on 127.0.0.1, so nothing leaves the machine.
        EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item', resourceUrlTemplate: 'http://127.0.0.1:9/resource/{publisher}/{name}/{version}/{path}' }),
    };
    const common = ['--config', path.join(tmp, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];

    const installed = execFileSync(nodeBinary, [entry, ...common, '--install-extension', vsix, '--force'], { encoding: 'utf8', env });
    writeFileSync(path.join(tmp, 'install.log'), installed);
    const listed = execFileSync(nodeBinary, [entry, ...common, '--list-extensions', '--show-versions'], { encoding: 'utf8', env });
    assert.match(listed, /gomodls\.gomodls@/, `the .vsix is installed:\n${installed}\n${listed}`);

    const installedDir = readdirSync(extensions).find((name) => name.startsWith('gomodls.gomodls-'));
    assert.ok(installedDir, `the extension is unpacked in ${extensions}`);
    const capabilities = await serverCapabilities(path.join(extensions, installedDir, 'server', process.platform === 'win32' ? 'gomodls.exe' : 'gomodls'));
    offeredCommands = capabilities.executeCommandProvider?.commands ?? [];

    const port = await freePort();
    mkdirSync(artifacts, { recursive: true });
    const logFile = createWriteStream(path.join(artifacts, 'code-server.log'));
    codeServer = spawn(
        nodeBinary,
        [
            entry,
            ...common,
            '--bind-addr',
            `127.0.0.1:${port}`,
            '--auth',
            'none',
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-workspace-trust',
            '--disable-getting-started-override',
            '--ignore-last-opened',
            workspace,
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [codeServer.stdout, codeServer.stderr]) {
        stream.on('data', (chunk) => {
            codeServerLog.push(chunk.toString());
            logFile.write(chunk);
        });
    }
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, codeServer);

    browser = await puppeteer.launch({
        executablePath: chromium,
        headless: true,
        userDataDir: path.join(tmp, 'chromium'),
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--window-size=1400,900',
        ],
        defaultViewport: { width: 1400, height: 900 },
    });
    page = await browser.newPage();
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench .part.statusbar', { visible: true, timeout: WAIT_MS });
});

after(async () => {
    await browser?.close().catch(() => undefined);
    if (codeServer && codeServer.exitCode === null) {
        const exited = new Promise((resolve) => codeServer.once('exit', resolve));
        codeServer.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (codeServer.exitCode === null) {
            codeServer.kill('SIGKILL');
        }
    }
    if (tmp && !process.env.GOMODLS_E2E_KEEP) {
        rmSync(tmp, { recursive: true, force: true });
    }
});

step('opening go.mod gives it the go.mod language from this extension', async () => {
    await page.keyboard.down(mod);
    await page.keyboard.press('KeyP');
    await page.keyboard.up(mod);
    const input = await page.waitForSelector('.quick-input-widget .quick-input-box input', { visible: true, timeout: WAIT_MS });
    await input.type('go.mod');
    await page.waitForFunction(() => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')].some((row) => row.textContent.includes('go.mod')), { timeout: WAIT_MS });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-line')].some((line) => line.textContent.replace(/\u00a0/g, ' ').includes('module example.com/e2e')), { timeout: WAIT_MS });
    // The language indicator shows the alias this extension contributes.
    await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => item.textContent.trim().endsWith('Go Module File')), { timeout: WAIT_MS });
    // The TextMate grammar coloured the directive differently from the module path. The editor
    // shows the text first and tokenizes it a moment later: wait for the tokens, then compare.
    const colours = await page
        .waitForFunction(() => {
            const line = [...document.querySelectorAll('.editor-instance .view-line')].find((l) => l.textContent.replace(/\u00a0/g, ' ').startsWith('require'));
            const spans = line ? [...line.querySelectorAll('span span')] : [];
            const colour = (text) => {
                const span = spans.find((s) => s.textContent === text);
                return span ? getComputedStyle(span).color : null;
            };
            const found = { directive: colour('require'), path: colour('example.com/a'), version: colour('v1.2') };
            return found.directive && found.path && found.version ? found : null;
        }, { timeout: WAIT_MS })
        .then((handle) => handle.jsonValue())
        .catch((error) => ({ error: String(error) }));
    assert.ok(colours.directive && colours.path && colours.version, JSON.stringify(colours));
    assert.notEqual(colours.directive, colours.path);
    assert.notEqual(colours.path, colours.version);
    await screenshot('01-go-mod-open');
});

step('the status bar item shows the server is running, offline (GOPROXY=off)', async () => {
    const status = await waitForRunningStatus().catch(async (error) => {
        throw new Error(`${error.message}; status bar: ${JSON.stringify(await statusBarTexts())}`);
    });
    assert.match(status.text, /^gomodls/);
    // The server reports where module data comes from; with GOPROXY=off nothing can be fetched.
    const offline = await page
        .waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => item.textContent.trim() === 'gomodls: offline'), { timeout: WAIT_MS })
        .then(() => true)
        .catch(() => false);
    assert.ok(offline, `the status bar item says offline: ${JSON.stringify(await statusBarTexts())}`);
    await screenshot('02-server-running');
});

step('the non-canonical version gets the server\'s diagnostic: Problems count and panel', async () => {
    // The server publishes exactly one diagnostic for the fixture, a warning.
    const counts = await waitForProblemCounts((counts) => counts.warnings > 0);
    assert.deepEqual({ errors: counts.errors, warnings: counts.warnings }, { errors: 0, warnings: 1 }, `Problems count: ${counts.label}`);
    await page.keyboard.down(mod);
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyM');
    await page.keyboard.up('Shift');
    await page.keyboard.up(mod);
    await page.waitForSelector('.markers-panel .monaco-list-row', { visible: true, timeout: WAIT_MS });
    // The panel shows the file row and the diagnostic row below it.
    await page.waitForFunction((message) => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((row) => row.textContent.includes(message)), { timeout: WAIT_MS }, DIAGNOSTIC).catch(() => undefined);
    const rows = await page.$$eval('.markers-panel .monaco-list-row', (elements) => elements.map((row) => row.textContent));
    await screenshot('03-problems');
    const row = rows.find((text) => text.includes(DIAGNOSTIC));
    assert.ok(row, `a problem reads ${JSON.stringify(DIAGNOSTIC)}: ${JSON.stringify(rows)}`);
    // The row names where it came from and where it is: the server's code and line 5, column 23.
    assert.match(row, /non-canonical-version/, row);
    assert.match(row, /\[Ln 5, Col 23\]/, row);
});

step('hover on the version shows the diagnostic; hover on require explains the directive', async () => {
    await hoverText('require', 'v1.2', DIAGNOSTIC);
    // The README's picture (docs/vscode.png): the squiggle, its hover, the Problems panel and
    // the status bar item.
    await screenshot('readme');
    const requireHover = await hoverText('require', 'require', 'minimal version selection');
    await screenshot('04-hover');
    // The server's markdown: the directive's name and what it does.
    assert.match(requireHover, /^require\s*directive/, `hover on require: ${requireHover}`);
});

step('completion offers the server\'s directives', async () => {
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 5);
    // Go to the end of the file, which is an empty line, and start a directive.
    await page.click('.editor-instance .monaco-editor .view-lines');
    await page.keyboard.down(mod);
    await page.keyboard.press('End');
    await page.keyboard.up(mod);
    await page.keyboard.type('re');
    await page.keyboard.down(mod);
    await page.keyboard.press('Space');
    await page.keyboard.up(mod);
    await page.waitForSelector('.editor-widget.suggest-widget.visible .monaco-list-row', { visible: true, timeout: WAIT_MS });
    const labels = await page.$$eval('.editor-widget.suggest-widget.visible .monaco-list-row', (rows) =>
        rows.map((row) => (row.querySelector('.label-name') ?? row).textContent.trim()),
    );
    await screenshot('05-completion');
    await page.keyboard.press('Escape');
    await clearLine();
    // Directives starting with `re`, each as a line and as a block; nothing from other sources.
    const names = [...new Set(labels.map((label) => label.replace(/\s*\(…\)$/, '')))].sort();
    assert.deepEqual(names, ['replace', 'require', 'retract'], `completion labels: ${JSON.stringify(labels)}`);
    assert.ok(labels.includes('require (…)'), `completion labels: ${JSON.stringify(labels)}`);
    const counts = await waitForProblemCounts((counts) => counts.errors === 0);
    assert.equal(counts.warnings, 1, `after undo: ${counts.label}`);
});

step('completion offers the versions in the module cache', async () => {
    await page.keyboard.down(mod);
    await page.keyboard.press('End');
    await page.keyboard.up(mod);
    await page.keyboard.type('require example.com/b v');
    // The server reads example.com/b's versions in the background once the line names it; until
    // then it has none to offer. Ask again, as a person would, until they come.
    const deadline = Date.now() + WAIT_MS;
    let found = false;
    while (!found && Date.now() < deadline) {
        await page.keyboard.press('Escape');
        await page.keyboard.down(mod);
        await page.keyboard.press('Space');
        await page.keyboard.up(mod);
        found = await page
            .waitForFunction(
                (wanted) => {
                    const labels = [...document.querySelectorAll('.editor-widget.suggest-widget.visible .monaco-list-row')].map((row) => (row.querySelector('.label-name') ?? row).textContent.trim());
                    return wanted.every((version) => labels.includes(version));
                },
                { timeout: 5_000 },
                CACHED_VERSIONS,
            )
            .then(() => true)
            .catch(() => false);
    }
    const labels = await page.$$eval('.editor-widget.suggest-widget.visible .monaco-list-row', (rows) => rows.map((row) => (row.querySelector('.label-name') ?? row).textContent.trim()));
    await screenshot('05-completion-versions');
    await page.keyboard.press('Escape');
    await clearLine();
    assert.ok(found, `completion lists the cached versions ${JSON.stringify(CACHED_VERSIONS)}: ${JSON.stringify(labels)}`);
    assert.deepEqual([...labels].sort(), [...CACHED_VERSIONS].sort(), `completion labels: ${JSON.stringify(labels)}`);
    const counts = await waitForProblemCounts((counts) => counts.errors === 0 && counts.warnings === 1);
    assert.deepEqual({ errors: counts.errors, warnings: counts.warnings }, { errors: 0, warnings: 1 }, `after undo: ${counts.label}`);
});

step('the restart command restarts the server, and it comes back', async () => {
    const log = outputLogFile();
    const before = readFileSync(log, 'utf8');
    await runCommand('gomodls: Restart Server');
    // The output channel's log: the restart, a new server process started and initialized.
    const deadline = Date.now() + WAIT_MS;
    let after = '';
    let restarted = false;
    while (Date.now() < deadline && !restarted) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        after = readFileSync(log, 'utf8').slice(before.length);
        restarted = /Restarting the server\.[\s\S]*Starting \S*gomodls \(found via bundled\)[\s\S]*initialized with ClientSupport/.test(after);
    }
    assert.ok(restarted, `the output log shows the restart and a new server:\n${after}`);
    // The new server runs: the status bar item says so, and it answers a hover and republishes
    // the diagnostic.
    await waitForRunningStatus();
    await hoverText('require', 'v1.2', DIAGNOSTIC);
    const counts = await waitForProblemCounts((counts) => counts.warnings > 0);
    assert.deepEqual({ errors: counts.errors, warnings: counts.warnings }, { errors: 0, warnings: 1 }, `Problems count: ${counts.label}`);
    await page.keyboard.press('Escape');
    await runCommand('gomodls: Show Server Output');
    await page.waitForFunction(() => [...document.querySelectorAll('.panel .monaco-editor .view-line')].some((line) => line.textContent.includes('gomodls')), { timeout: WAIT_MS });
    await screenshot('06-after-restart');
});

step('the palette shows upgrade and verify exactly when the server offers them', async () => {
    await page.keyboard.press('F1');
    const input = await page.waitForSelector('.quick-input-widget .quick-input-box input', { visible: true, timeout: WAIT_MS });
    await input.type('gomodls:');
    await page.waitForFunction(() => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')].some((row) => row.textContent.includes('gomodls: Restart Server')), { timeout: WAIT_MS });
    const rows = await page.$$eval('.quick-input-widget .monaco-list-row', (elements) => elements.map((row) => row.textContent));
    await screenshot('07-palette');
    await page.keyboard.press('Escape');
    const listed = (title) => rows.some((row) => row.includes(title));
    assert.ok(listed('gomodls: Show Server Output'), JSON.stringify(rows));
    assert.equal(listed('gomodls: Upgrade All Dependencies'), offeredCommands.includes('gomodls.upgradeAll'), `palette: ${JSON.stringify(rows)}; server offers ${JSON.stringify(offeredCommands)}`);
    assert.equal(listed('gomodls: Verify go.sum'), offeredCommands.includes('gomodls.verifyGoSum'), `palette: ${JSON.stringify(rows)}; server offers ${JSON.stringify(offeredCommands)}`);
});

step('Verify go.sum, when the server offers it, runs the server command and shows its answer', async () => {
    if (!offeredCommands.includes('gomodls.verifyGoSum')) {
        // Hidden and disabled (the step above checks the palette); nothing to run.
        return;
    }
    await runCommand('gomodls: Verify go.sum');
    // The workspace has no go.sum: the server says so in a notification.
    const shown = await page
        .waitForFunction(() => [...document.querySelectorAll('.notifications-toasts .notification-toast')].map((toast) => toast.textContent).find((text) => text.includes('go.sum')) ?? false, { timeout: WAIT_MS })
        .then((handle) => handle.jsonValue())
        .catch(() => undefined);
    await screenshot('08-verify-go-sum');
    assert.ok(shown, 'a notification answers Verify go.sum');
    assert.match(shown, /go\.sum: no go\.sum to verify/, shown);
});
