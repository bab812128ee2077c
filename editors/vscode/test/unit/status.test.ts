// The status bar item: what `gomodls/status` does to the state, and how each state looks.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyStatusNotification, parseStatusParams, present, type ServerState } from '../../src/status';

test('the three module data sources are read from the notification', () => {
    assert.equal(parseStatusParams({ moduleData: 'live' }), 'live');
    assert.equal(parseStatusParams({ moduleData: 'cached' }), 'cached');
    assert.equal(parseStatusParams({ moduleData: 'offline', extra: 1 }), 'offline');
});

test('malformed notifications are ignored', () => {
    for (const params of [undefined, null, 'live', ['live'], {}, { moduleData: 'LIVE' }, { moduleData: 1 }, { state: 'live' }]) {
        assert.equal(parseStatusParams(params), undefined, JSON.stringify(params));
        const before: ServerState = { kind: 'running', moduleData: 'cached' };
        assert.equal(applyStatusNotification(before, params), before);
    }
});

test('a notification moves any state to running with that source', () => {
    const states: ServerState[] = [{ kind: 'starting' }, { kind: 'running', moduleData: undefined }, { kind: 'running', moduleData: 'live' }];
    for (const state of states) {
        assert.deepEqual(applyStatusNotification(state, { moduleData: 'offline' }), { kind: 'running', moduleData: 'offline' });
    }
});

test('each state has its own text, and only the ones needing attention are coloured', () => {
    const states: ServerState[] = [
        { kind: 'starting' },
        { kind: 'running', moduleData: undefined },
        { kind: 'running', moduleData: 'live' },
        { kind: 'running', moduleData: 'cached' },
        { kind: 'running', moduleData: 'offline' },
        { kind: 'stopped' },
        { kind: 'failed', reason: 'no gomodls binary found' },
    ];
    const presentations = states.map(present);
    assert.equal(new Set(presentations.map((p) => p.text)).size, states.length);
    assert.equal(present({ kind: 'running', moduleData: 'live' }).text, '$(cloud) gomodls: live');
    assert.equal(present({ kind: 'running', moduleData: 'cached' }).text, '$(database) gomodls: cached');
    assert.equal(present({ kind: 'running', moduleData: 'offline' }).text, '$(cloud-offline) gomodls: offline');
    assert.equal(present({ kind: 'running', moduleData: 'live' }).backgroundColor, undefined);
    assert.equal(present({ kind: 'running', moduleData: 'offline' }).backgroundColor, 'statusBarItem.warningBackground');
    assert.equal(present({ kind: 'failed', reason: 'x' }).backgroundColor, 'statusBarItem.errorBackground');
    assert.match(present({ kind: 'failed', reason: 'no gomodls binary found' }).tooltip, /no gomodls binary found/);
});
