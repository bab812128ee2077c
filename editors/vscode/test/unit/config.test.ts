// How the extension's settings become the server's configuration.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { configurationForSection, contributedSettings, isClientOnly, serverConfiguration, serverSettingKeys } from '../../src/config';

const manifest = {
    contributes: {
        configuration: [
            {
                properties: {
                    'gomodls.server.path': { type: 'string' },
                    'gomodls.trace.server': { type: 'string' },
                    'gomodls.diagnostics.enable': { type: 'boolean' },
                    'gomodls.proxy.url': { type: 'string' },
                },
            },
            { properties: { 'gomodls.inlayHints.latestVersion': { type: 'boolean' }, 'other.setting': { type: 'number' } } },
        ],
    },
};

test('contributed settings are read from one or many configuration sections', () => {
    assert.deepEqual(contributedSettings(manifest), [
        'gomodls.server.path',
        'gomodls.trace.server',
        'gomodls.diagnostics.enable',
        'gomodls.proxy.url',
        'gomodls.inlayHints.latestVersion',
        'other.setting',
    ]);
    assert.deepEqual(contributedSettings({ contributes: { configuration: { properties: { 'gomodls.a': {} } } } }), ['gomodls.a']);
    assert.deepEqual(contributedSettings({}), []);
});

test('client-only settings and foreign settings never reach the server', () => {
    assert.ok(isClientOnly('gomodls.server.path'));
    assert.ok(isClientOnly('gomodls.trace.server'));
    assert.ok(!isClientOnly('gomodls.diagnostics.enable'));
    assert.deepEqual(serverSettingKeys(manifest), ['gomodls.diagnostics.enable', 'gomodls.proxy.url', 'gomodls.inlayHints.latestVersion']);
});

test('dotted names become nested objects, undefined values are left out', () => {
    const values: Record<string, unknown> = {
        'gomodls.diagnostics.enable': false,
        'gomodls.proxy.url': 'http://127.0.0.1:3000',
        'gomodls.inlayHints.latestVersion': undefined,
    };
    assert.deepEqual(serverConfiguration(serverSettingKeys(manifest), (key) => values[key]), {
        diagnostics: { enable: false },
        proxy: { url: 'http://127.0.0.1:3000' },
    });
});

test('siblings share one object and object values are copied as plain JSON', () => {
    const frozen = Object.freeze({ 'example.com/*': 'direct', skip: undefined });
    const values: Record<string, unknown> = {
        'gomodls.a.x': 1,
        'gomodls.a.y': ['v1', 2, true, null],
        'gomodls.b': frozen,
        'gomodls.c': Number.NaN,
    };
    const config = serverConfiguration(Object.keys(values), (key) => values[key]);
    assert.deepEqual(config, { a: { x: 1, y: ['v1', 2, true, null] }, b: { 'example.com/*': 'direct' }, c: null });
    assert.notEqual(config.b, frozen);
    assert.doesNotThrow(() => JSON.stringify(config));
});

test('a leaf and a deeper setting with the same prefix do not crash: the deeper one wins', () => {
    const values: Record<string, unknown> = { 'gomodls.a': true, 'gomodls.a.b': 2 };
    assert.deepEqual(serverConfiguration(['gomodls.a', 'gomodls.a.b'], (key) => values[key]), { a: { b: 2 } });
});

test('workspace/configuration answers: whole section, a sub-section, or null', () => {
    const config = { diagnostics: { enable: false }, proxy: { url: 'x' } };
    assert.deepEqual(configurationForSection('gomodls', config), config);
    assert.deepEqual(configurationForSection(undefined, config), config);
    assert.deepEqual(configurationForSection('gomodls.diagnostics', config), { enable: false });
    assert.equal(configurationForSection('gomodls.diagnostics.enable', config), false);
    assert.equal(configurationForSection('gomodls.missing', config), null);
    assert.equal(configurationForSection('gomodls.proxy.url.deeper', config), null);
    assert.equal(configurationForSection('go', config), null);
    assert.equal(configurationForSection('gomodlsx', config), null);
});
