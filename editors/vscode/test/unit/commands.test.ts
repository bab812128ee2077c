// Which server commands are shown, and which file they act on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LANGUAGE_IDS, SERVER_COMMANDS, commandContext, moduleFileFor } from '../../src/commands';

test('context keys follow executeCommandProvider.commands', () => {
    assert.deepEqual(
        Object.fromEntries(commandContext(undefined)),
        { 'gomodls.serverSupports.upgradeAll': false, 'gomodls.serverSupports.verifyGoSum': false },
    );
    assert.deepEqual(
        Object.fromEntries(commandContext({ executeCommandProvider: { commands: ['gomodls.verifyGoSum', 'other'] } })),
        { 'gomodls.serverSupports.upgradeAll': false, 'gomodls.serverSupports.verifyGoSum': true },
    );
    assert.deepEqual(
        Object.fromEntries(commandContext({ executeCommandProvider: { commands: ['gomodls.upgradeAll', 'gomodls.verifyGoSum'] } })),
        { 'gomodls.serverSupports.upgradeAll': true, 'gomodls.serverSupports.verifyGoSum': true },
    );
    assert.deepEqual(Object.fromEntries(commandContext({ executeCommandProvider: { commands: 'gomodls.upgradeAll' } })), {
        'gomodls.serverSupports.upgradeAll': false,
        'gomodls.serverSupports.verifyGoSum': false,
    });
});

test('the target file: go.mod and go.work are themselves, sums map to their module files', () => {
    const dir = path.join(path.sep, 'src', 'm');
    assert.equal(moduleFileFor(path.join(dir, 'go.mod')), path.join(dir, 'go.mod'));
    assert.equal(moduleFileFor(path.join(dir, 'go.work')), path.join(dir, 'go.work'));
    assert.equal(moduleFileFor(path.join(dir, 'go.sum')), path.join(dir, 'go.mod'));
    assert.equal(moduleFileFor(path.join(dir, 'go.work.sum')), path.join(dir, 'go.work'));
    assert.equal(moduleFileFor(path.join(dir, 'main.go')), undefined);
    assert.equal(moduleFileFor(path.join(dir, 'x.go.mod')), undefined);
});

test('package.json declares each server command, hidden and disabled behind its context key', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    const declared = new Map<string, { enablement?: string }>(manifest.contributes.commands.map((c: { command: string }) => [c.command, c]));
    const palette = new Map<string, string>(manifest.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]));
    for (const command of SERVER_COMMANDS) {
        assert.ok(declared.has(command.clientId), command.clientId);
        assert.equal(declared.get(command.clientId)?.enablement, command.contextKey);
        assert.equal(palette.get(command.clientId), command.contextKey);
        // The client-side id must differ from the server's: vscode-languageclient registers the
        // server's ids itself, and a second registration would fail.
        assert.notEqual(command.clientId, command.serverId);
    }
    const languages = manifest.contributes.languages.map((l: { id: string }) => l.id);
    assert.deepEqual(languages, [...LANGUAGE_IDS]);
    for (const language of LANGUAGE_IDS) {
        assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
    }
});
