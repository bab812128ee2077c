// Checks package.json against what VS Code and the Go extension expect: the languages share the
// Go extension's ids and file names, every referenced file exists, every command is declared and
// titled, and every setting is typed, defaulted and described.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));

test('languages use the Go extension ids and file names', () => {
    const languages = Object.fromEntries(manifest.contributes.languages.map((l) => [l.id, l.filenames]));
    assert.deepEqual(languages, {
        'go.mod': ['go.mod'],
        'go.sum': ['go.sum', 'go.work.sum'],
        'go.work': ['go.work'],
    });
});

test('every grammar and language configuration file exists and parses', () => {
    for (const language of manifest.contributes.languages) {
        const file = path.join(root, language.configuration);
        assert.ok(existsSync(file), file);
        JSON.parse(readFileSync(file, 'utf8'));
    }
    const grammarLanguages = manifest.contributes.grammars.map((g) => g.language).sort();
    assert.deepEqual(grammarLanguages, ['go.mod', 'go.sum', 'go.work']);
    for (const grammar of manifest.contributes.grammars) {
        const file = path.join(root, grammar.path);
        assert.equal(JSON.parse(readFileSync(file, 'utf8')).scopeName, grammar.scopeName);
    }
});

test('the entry point is the esbuild bundle and the engine matches the API types', () => {
    assert.equal(manifest.main, './dist/extension.js');
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode'];
    assert.equal(types, engine, '@types/vscode must be the oldest VS Code the manifest accepts');
});

test('commands: all declared, titled, and the palette only references declared ones', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const command of manifest.contributes.commands) {
        assert.match(command.command, /^gomodls\./);
        assert.ok(command.title && command.category === 'gomodls', command.command);
    }
    for (const entry of manifest.contributes.menus.commandPalette) {
        assert.ok(declared.has(entry.command), entry.command);
    }
    for (const id of ['gomodls.restartServer', 'gomodls.showOutput', 'gomodls.commands.upgradeAll', 'gomodls.commands.verifyGoSum']) {
        assert.ok(declared.has(id), id);
    }
});

test('settings: every one is typed, defaulted and described', () => {
    const properties = manifest.contributes.configuration.properties;
    assert.ok(Object.keys(properties).length > 0);
    for (const [key, property] of Object.entries(properties)) {
        assert.match(key, /^gomodls\./);
        assert.ok(property.type, `${key} has a type`);
        assert.ok('default' in property, `${key} has a default`);
        assert.ok(property.markdownDescription || property.description, `${key} is described`);
        if (property.enum) {
            assert.ok(property.enum.includes(property.default), `${key}: default is one of the enum values`);
        }
    }
    assert.ok('gomodls.server.path' in properties);
    assert.ok('gomodls.trace.server' in properties);
});

test('dependencies are pinned exactly and the lock file matches package.json', () => {
    for (const group of ['dependencies', 'devDependencies']) {
        for (const [name, version] of Object.entries(manifest[group] ?? {})) {
            assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is pinned to an exact version`);
            assert.equal(lock.packages[`node_modules/${name}`]?.version, version, `package-lock.json has ${name}@${version}`);
        }
    }
    assert.deepEqual(lock.packages[''].dependencies ?? {}, manifest.dependencies ?? {});
    assert.deepEqual(lock.packages[''].devDependencies ?? {}, manifest.devDependencies ?? {});
});
