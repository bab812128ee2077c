// Keeps the extension's settings equal to the server's: every setting documented in
// server/lsp/SETTINGS.md is contributed in package.json with the same default and a matching
// type, package.json contributes no server setting the server does not document, the extension's
// README lists every setting, and the repository's README carries SETTINGS.md's table as it is.
// (server/lsp's own tests keep SETTINGS.md equal to the server's Config.) Fails (does not skip)
// when SETTINGS.md is missing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.join(here, '..');
const settingsFile = process.env.GOMODLS_SETTINGS_MD ?? path.join(extensionRoot, '..', '..', 'server', 'lsp', 'SETTINGS.md');
const rootReadme = path.join(extensionRoot, '..', '..', 'README.md');

/** Settings the extension reads itself; the server never sees them (src/config.ts). */
const CLIENT_ONLY_PREFIXES = ['gomodls.server.', 'gomodls.trace.'];
const isClientOnly = (key) => CLIENT_ONLY_PREFIXES.some((prefix) => key.startsWith(prefix));

/** Splits a markdown table row into trimmed cells, honouring `\|` escapes. */
function cells(row) {
    const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
    return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** The text inside the first pair of backticks in a cell, or undefined. */
function code(cell) {
    const match = /`([^`]*)`/.exec(cell);
    return match === null ? undefined : match[1];
}

/**
 * Reads every table in SETTINGS.md whose header has a "Setting" column, and returns the
 * settings as `{ key, default, description }` in document order.
 */
export function parseSettingsMarkdown(markdown) {
    const settings = [];
    const lines = markdown.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
        if (!lines[index].trim().startsWith('|')) {
            continue;
        }
        const header = cells(lines[index]).map((cell) => cell.toLowerCase());
        const separator = lines[index + 1] ?? '';
        const keyColumn = header.findIndex((cell) => cell === 'setting' || cell === 'key' || cell === 'name');
        if (keyColumn < 0 || !/^\s*\|?\s*:?-{3,}/.test(separator)) {
            continue;
        }
        const defaultColumn = header.indexOf('default');
        const descriptionColumn = header.indexOf('description');
        index += 2;
        for (; index < lines.length && lines[index].trim().startsWith('|'); index++) {
            const row = cells(lines[index]);
            const rawKey = code(row[keyColumn] ?? '');
            assert.ok(rawKey, `SETTINGS.md line ${index + 1}: the setting column has no \`name\``);
            const key = rawKey.startsWith('gomodls.') ? rawKey : `gomodls.${rawKey}`;
            let parsedDefault;
            if (defaultColumn >= 0) {
                const rawDefault = code(row[defaultColumn] ?? '');
                assert.ok(rawDefault !== undefined, `SETTINGS.md line ${index + 1}: the default of ${key} is not in backticks`);
                try {
                    parsedDefault = JSON.parse(rawDefault);
                } catch {
                    assert.fail(`SETTINGS.md line ${index + 1}: the default of ${key} is not JSON: ${rawDefault}`);
                }
            }
            settings.push({ key, default: parsedDefault, hasDefault: defaultColumn >= 0, description: descriptionColumn >= 0 ? (row[descriptionColumn] ?? '') : '' });
        }
    }
    return settings;
}

function readSettingsMarkdown() {
    let markdown;
    try {
        markdown = readFileSync(settingsFile, 'utf8');
    } catch (error) {
        assert.fail(`cannot read the server's settings documentation ${settingsFile}: ${error.message}`);
    }
    const settings = parseSettingsMarkdown(markdown);
    assert.ok(settings.length > 0, `${settingsFile} has no settings table (a table with a "Setting" column)`);
    return settings;
}

function contributedProperties() {
    const manifest = JSON.parse(readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));
    const configuration = manifest.contributes.configuration;
    const sections = Array.isArray(configuration) ? configuration : [configuration];
    return Object.assign({}, ...sections.map((section) => section.properties ?? {}));
}

/** The JSON type name of a value, as package.json's `type` spells it. */
function jsonType(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
    return typeof value;
}

test('the parser reads keys, JSON defaults and descriptions from a settings table', () => {
    const parsed = parseSettingsMarkdown(
        [
            'Intro | not a table',
            '',
            '| Setting | Default | Description |',
            '|---|---|---|',
            '| `gomodls.a.enable` | `true` | Turns \\| things on. |',
            '| `b` | `{"x": 1}` | Bare names get the prefix. |',
            '',
            '| Other | Table |',
            '|---|---|',
            '| `gomodls.ignored` | x |',
        ].join('\n'),
    );
    assert.deepEqual(parsed, [
        { key: 'gomodls.a.enable', default: true, hasDefault: true, description: 'Turns | things on.' },
        { key: 'gomodls.b', default: { x: 1 }, hasDefault: true, description: 'Bare names get the prefix.' },
    ]);
    assert.throws(() => parseSettingsMarkdown('| Setting | Default |\n|---|---|\n| `gomodls.x` | `nope` |'), /not JSON/);
});

test('package.json contributes exactly the settings the server documents', () => {
    const documented = readSettingsMarkdown().map((setting) => setting.key);
    const contributed = Object.keys(contributedProperties()).filter((key) => !isClientOnly(key));
    const missing = documented.filter((key) => !contributed.includes(key));
    const extra = contributed.filter((key) => !documented.includes(key));
    assert.deepEqual(
        { missingFromPackageJson: missing, notInSettingsMd: extra },
        { missingFromPackageJson: [], notInSettingsMd: [] },
        `package.json and ${settingsFile} have drifted`,
    );
    assert.equal(new Set(documented).size, documented.length, 'SETTINGS.md lists a setting twice');
});

test('defaults, types and enum values match SETTINGS.md', () => {
    const properties = contributedProperties();
    for (const setting of readSettingsMarkdown()) {
        const property = properties[setting.key];
        if (property === undefined) {
            continue; // Reported by the test above.
        }
        if (setting.hasDefault) {
            assert.deepEqual(property.default, setting.default, `default of ${setting.key}`);
            const types = [property.type].flat();
            const actual = jsonType(setting.default);
            assert.ok(
                types.includes(actual) || (actual === 'integer' && types.includes('number')),
                `${setting.key}: package.json type ${JSON.stringify(property.type)} does not admit the default ${JSON.stringify(setting.default)}`,
            );
        }
        for (const value of property.enum ?? []) {
            assert.ok(setting.description.includes(JSON.stringify(value)), `${setting.key}: enum value ${JSON.stringify(value)} is not described in SETTINGS.md`);
        }
        assert.ok(typeof property.markdownDescription === 'string' || typeof property.description === 'string', `${setting.key} has no description`);
    }
});

test('client-only settings are not documented as server settings', () => {
    for (const setting of readSettingsMarkdown()) {
        assert.ok(!isClientOnly(setting.key), `${setting.key} is documented for the server but the extension keeps it to itself`);
    }
});

test("the extension's README lists every setting", () => {
    const readme = readFileSync(path.join(extensionRoot, 'README.md'), 'utf8');
    for (const key of Object.keys(contributedProperties())) {
        assert.ok(readme.includes(`\`${key}\``), `README.md does not mention \`${key}\``);
    }
});

test("the repository's README has SETTINGS.md's settings table, row for row", () => {
    const readme = parseSettingsMarkdown(readFileSync(rootReadme, 'utf8'));
    assert.deepEqual(readme, readSettingsMarkdown(), `the settings table in ${rootReadme} differs from ${settingsFile}`);
});
