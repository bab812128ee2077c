// Checks a built .vsix: the manifest inside validates against package.json, the server binary is
// there and executable, and nothing else slipped in. Run by scripts/package.sh with GOMODLS_VSIX
// set; without it, it checks the single .vsix in dist/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function findVsix() {
    if (process.env.GOMODLS_VSIX) {
        return process.env.GOMODLS_VSIX;
    }
    const dist = path.join(root, 'dist');
    const found = existsSync(dist) ? readdirSync(dist).filter((name) => name.endsWith('.vsix')) : [];
    assert.equal(found.length, 1, `expected one .vsix in ${dist} (build it with scripts/package.sh), found ${JSON.stringify(found)}`);
    return path.join(dist, found[0]);
}

const vsix = findVsix();
const exe = process.platform === 'win32' ? '.exe' : '';

/** `unzip -Z -l`: one line per entry with its Unix mode string and name. */
function entries() {
    const listing = execFileSync('unzip', ['-Z', vsix], { encoding: 'utf8' });
    const result = new Map();
    for (const line of listing.split('\n')) {
        // e.g. "-rwxr-xr-x  3.0 unx  1234 b- defN 24-Nov-27 05:26 extension/server/gomodls"
        const match = /^([-dlrwxsStT]{10})\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(line);
        if (match) {
            result.set(match[3], { mode: match[1], size: Number(match[2]) });
        }
    }
    return result;
}

function extract(entry) {
    return execFileSync('unzip', ['-p', vsix, entry], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

test('unzip -l lists the archive', () => {
    const listing = execFileSync('unzip', ['-l', vsix], { encoding: 'utf8' });
    assert.match(listing, /extension\/package\.json/);
});

test('the .vsix holds exactly the files the extension needs', () => {
    const expected = [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/package.json',
        'extension/readme.md',
        'extension/changelog.md',
        'extension/LICENSE.txt',
        'extension/dist/extension.js',
        `extension/server/gomodls${exe}`,
        ...manifest.contributes.grammars.map((g) => path.posix.join('extension', g.path)),
        ...manifest.contributes.languages.map((l) => path.posix.join('extension', l.configuration)),
    ].map((name) => name.replace('/./', '/'));
    const actual = [...entries().keys()];
    assert.deepEqual([...new Set(actual)].sort(), [...new Set(expected)].sort());
});

test('the server binary is present, executable and the real one', () => {
    const binary = entries().get(`extension/server/gomodls${exe}`);
    assert.ok(binary, 'server binary in the .vsix');
    assert.ok(binary.size > 100_000, `server binary is ${binary.size} bytes: too small to be gomodls`);
    if (exe === '') {
        assert.match(binary.mode, /^-rwx.-x.-x$/, `mode ${binary.mode}`);
        // Extract it and run it: it must start and speak, not just be a file of the right name.
        const dir = mkdtempSync(path.join(os.tmpdir(), 'gomodls-vsix-'));
        execFileSync('unzip', ['-q', vsix, 'extension/server/gomodls', '-d', dir]);
        const extracted = path.join(dir, 'extension', 'server', 'gomodls');
        assert.equal(statSync(extracted).mode & 0o111, 0o111, 'unzip keeps the executable bits');
        if (process.platform === 'linux') {
            assert.equal(readFileSync(extracted).subarray(0, 4).toString('latin1'), '\x7fELF', 'an ELF executable');
        }
        // package.sh passes the binary it copied: the packaged one must be byte-identical.
        if (process.env.GOMODLS_EXPECTED_BINARY) {
            const digest = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
            assert.equal(digest(extracted), digest(process.env.GOMODLS_EXPECTED_BINARY), 'the packaged binary is the one package.sh copied');
        }
        // It is gomodls: `--version` answers `gomodls VERSION`.
        try {
            const version = execFileSync(extracted, ['--version'], { encoding: 'utf8', timeout: 30_000 });
            assert.match(version, /^gomodls \d+\.\d+\.\d+/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }
});

test('the manifest in the .vsix matches package.json and names the target platform', () => {
    const packaged = JSON.parse(extract('extension/package.json'));
    assert.equal(packaged.name, manifest.name);
    assert.equal(packaged.version, manifest.version);
    assert.equal(packaged.main, manifest.main);
    assert.deepEqual(packaged.contributes, manifest.contributes);

    const xml = extract('extension.vsixmanifest');
    const identity = /<Identity\b([^>]*)\/?>/.exec(xml);
    assert.ok(identity, 'the vsixmanifest has an Identity');
    const attribute = (name) => new RegExp(`${name}="([^"]*)"`).exec(identity[1])?.[1];
    assert.equal(attribute('Id'), manifest.name);
    assert.equal(attribute('Version'), manifest.version);
    assert.equal(attribute('Publisher'), manifest.publisher);
    const target = `${process.platform === 'linux' && existsSync('/etc/alpine-release') ? 'alpine' : process.platform}-${process.arch}`;
    assert.equal(attribute('TargetPlatform'), target);
    assert.match(xml, new RegExp(`Microsoft\\.VisualStudio\\.Code\\.Engine" Value="\\${manifest.engines.vscode}"`));
    for (const language of ['go.mod', 'go.sum', 'go.work']) {
        assert.ok(xml.includes(language), `the manifest mentions ${language}`);
    }
});

test('the bundle is self-contained: it needs nothing but vscode and Node built-ins', () => {
    const bundle = extract('extension/dist/extension.js');
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    const builtins = new Set(['vscode', ...builtinModules]);
    for (const name of required) {
        assert.ok(builtins.has(name) || builtins.has(name.replace(/^node:/, '')), `the bundle requires ${name}`);
    }
});
