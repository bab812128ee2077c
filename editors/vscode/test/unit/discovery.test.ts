// Server discovery order and error reporting, against real files in a temporary directory.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { bundledServerPath, expandSettingPath, findServer, pathCandidates, type DiscoveryInput } from '../../src/discovery';

const sandboxes: string[] = [];
after(() => {
    for (const root of sandboxes) {
        fs.rmSync(root, { recursive: true, force: true });
    }
});

/** A temporary tree with an extension directory, two PATH directories and a workspace. */
function sandbox() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gomodls-discovery-'));
    sandboxes.push(root);
    const dirs = {
        root,
        extension: path.join(root, 'extension'),
        binA: path.join(root, 'bin-a'),
        binB: path.join(root, 'bin-b'),
        workspace: path.join(root, 'workspace'),
        home: path.join(root, 'home'),
    };
    for (const dir of Object.values(dirs)) {
        fs.mkdirSync(dir, { recursive: true });
    }
    return dirs;
}

function writeFile(file: string, mode: number): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n');
    fs.chmodSync(file, mode);
    return file;
}

function input(dirs: ReturnType<typeof sandbox>, settingPath: string | undefined): DiscoveryInput {
    return {
        settingPath,
        extensionPath: dirs.extension,
        workspaceFolder: dirs.workspace,
        env: { PATH: [dirs.binA, dirs.binB].join(':') },
        platform: 'linux',
        homeDir: dirs.home,
    };
}

const posixOnly = process.platform === 'win32' ? 'mode bits are POSIX-only' : false;

test('the setting wins over the bundled binary and PATH', { skip: posixOnly }, () => {
    const dirs = sandbox();
    const custom = writeFile(path.join(dirs.root, 'custom', 'gomodls'), 0o755);
    writeFile(bundledServerPath(dirs.extension, 'linux'), 0o755);
    writeFile(path.join(dirs.binA, 'gomodls'), 0o755);
    assert.deepEqual(findServer(input(dirs, custom)), { kind: 'found', command: custom, source: 'setting' });
});

test('the bundled binary wins over PATH when the setting is empty', { skip: posixOnly }, () => {
    const dirs = sandbox();
    const bundled = writeFile(bundledServerPath(dirs.extension, 'linux'), 0o755);
    writeFile(path.join(dirs.binA, 'gomodls'), 0o755);
    for (const empty of [undefined, '', '   ']) {
        assert.deepEqual(findServer(input(dirs, empty)), { kind: 'found', command: bundled, source: 'bundled' });
    }
});

test('PATH is searched in order when nothing is bundled', { skip: posixOnly }, () => {
    const dirs = sandbox();
    writeFile(path.join(dirs.binB, 'gomodls'), 0o755);
    assert.deepEqual(findServer(input(dirs, '')), { kind: 'found', command: path.join(dirs.binB, 'gomodls'), source: 'path' });
    const first = writeFile(path.join(dirs.binA, 'gomodls'), 0o755);
    assert.deepEqual(findServer(input(dirs, '')), { kind: 'found', command: first, source: 'path' });
});

test('a non-executable file or a directory on PATH is skipped', { skip: posixOnly }, () => {
    const dirs = sandbox();
    writeFile(path.join(dirs.binA, 'gomodls'), 0o644);
    fs.mkdirSync(path.join(dirs.binB, 'gomodls'));
    const result = findServer(input(dirs, ''));
    assert.equal(result.kind, 'missing');
});

test('a bundled binary that lost its mode bits is made executable and used', { skip: posixOnly }, () => {
    const dirs = sandbox();
    const bundled = writeFile(bundledServerPath(dirs.extension, 'linux'), 0o644);
    assert.deepEqual(findServer(input(dirs, '')), { kind: 'found', command: bundled, source: 'bundled' });
    assert.equal(fs.statSync(bundled).mode & 0o111, 0o111);
});

test('a setting that names a missing file is an error, not a silent fallback', { skip: posixOnly }, () => {
    const dirs = sandbox();
    writeFile(bundledServerPath(dirs.extension, 'linux'), 0o755);
    writeFile(path.join(dirs.binA, 'gomodls'), 0o755);
    const result = findServer(input(dirs, '~/tools/gomodls'));
    assert.equal(result.kind, 'missing');
    assert.ok(result.kind === 'missing' && result.badSetting);
    assert.ok(result.kind === 'missing' && result.message.includes('gomodls.server.path'));
    assert.ok(result.kind === 'missing' && result.message.includes(path.join(dirs.home, 'tools', 'gomodls')));
});

test('nothing found: the message says what to do and lists every place looked at', { skip: posixOnly }, () => {
    const dirs = sandbox();
    const result = findServer(input(dirs, undefined));
    assert.equal(result.kind, 'missing');
    if (result.kind !== 'missing') {
        return;
    }
    assert.equal(result.badSetting, false);
    assert.match(result.message, /gomodls\.server\.path/);
    assert.match(result.message, /PATH/);
    assert.deepEqual(result.tried, [bundledServerPath(dirs.extension, 'linux'), path.join(dirs.binA, 'gomodls'), path.join(dirs.binB, 'gomodls')]);
});

test('setting expansion: ~, ${workspaceFolder}, ${env:NAME} and relative paths', () => {
    const base: DiscoveryInput = {
        settingPath: undefined,
        extensionPath: '/ext',
        workspaceFolder: '/work/space',
        env: { TOOLS: '/opt/tools' },
        platform: 'linux',
        homeDir: '/home/me',
    };
    const expand = (settingPath: string) => expandSettingPath({ ...base, settingPath });
    assert.equal(expand('~/bin/gomodls'), '/home/me/bin/gomodls');
    assert.equal(expand('${workspaceFolder}/bin/gomodls'), '/work/space/bin/gomodls');
    assert.equal(expand('${env:TOOLS}/gomodls'), '/opt/tools/gomodls');
    assert.equal(expand('target/debug/gomodls'), '/work/space/target/debug/gomodls');
    assert.equal(expand('/abs/gomodls'), '/abs/gomodls');
    assert.equal(expand(''), undefined);
});

test('Windows: PATHEXT names, the Path spelling and the .exe bundle', () => {
    assert.equal(bundledServerPath('C:\\ext', 'win32'), 'C:\\ext\\server\\gomodls.exe');
    assert.deepEqual(pathCandidates({ Path: 'C:\\a;C:\\b', PATHEXT: '.EXE;.CMD' }, 'win32'), [
        'C:\\a\\gomodls.exe',
        'C:\\a\\gomodls.cmd',
        'C:\\b\\gomodls.exe',
        'C:\\b\\gomodls.cmd',
    ]);
    assert.deepEqual(pathCandidates({ PATH: '/a::/b' }, 'linux'), ['/a/gomodls', '/b/gomodls']);
    assert.deepEqual(pathCandidates({}, 'linux'), []);
});
