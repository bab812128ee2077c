// Tokenizes go.mod, go.work and go.sum text with the extension's TextMate grammars, through the
// same engine VS Code uses (vscode-textmate with the Oniguruma regex library), and checks the
// scope of the tokens that matter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import textmate from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const require = createRequire(import.meta.url);

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const grammarPaths = new Map(manifest.contributes.grammars.map((g) => [g.scopeName, path.join(root, g.path)]));

const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
}));

const registry = new textmate.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
        const file = grammarPaths.get(scopeName);
        if (file === undefined) {
            return null;
        }
        return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
});

/** Tokenizes `text` and returns, per line, a list of { text, scopes }. */
async function tokenize(scopeName, text) {
    const grammar = await registry.loadGrammar(scopeName);
    assert.ok(grammar, `grammar ${scopeName} loads`);
    let ruleStack = textmate.INITIAL;
    const lines = [];
    for (const line of text.split('\n')) {
        const result = grammar.tokenizeLine(line, ruleStack);
        lines.push(result.tokens.map((token) => ({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes })));
        ruleStack = result.ruleStack;
    }
    return lines;
}

/** The innermost scope of the token that is exactly `tokenText` on line `lineIndex`. */
function scopeOf(lines, lineIndex, tokenText) {
    const token = lines[lineIndex].find((t) => t.text === tokenText);
    assert.ok(token, `line ${lineIndex} has a token ${JSON.stringify(tokenText)}; tokens: ${JSON.stringify(lines[lineIndex].map((t) => t.text))}`);
    return token.scopes[token.scopes.length - 1];
}

test('every contributed grammar exists and has the scope name package.json gives it', () => {
    for (const [scopeName, file] of grammarPaths) {
        const grammar = JSON.parse(readFileSync(file, 'utf8'));
        assert.equal(grammar.scopeName, scopeName, file);
    }
    assert.deepEqual([...grammarPaths.keys()].sort(), ['source.gomod', 'source.gosum', 'source.gowork']);
});

test('go.mod: directives, paths, versions, comments', async () => {
    const lines = await tokenize(
        'source.gomod',
        [
            '// Deprecated: use example.com/new instead.',
            'module example.com/m',
            '',
            'go 1.22.0',
            'toolchain go1.22.5',
            '',
            'require (',
            '\tgopkg.in/yaml.v3 v3.0.1',
            '\tgolang.org/x/mod v0.0.0-20240101000000-0123456789ab // indirect',
            '\texample.com/old v2.0.0+incompatible',
            ')',
            'require example.com/a v1.2',
            'replace example.com/a v1.0.0 => ../a',
            'replace example.com/b => example.com/c v1.1.0',
            'retract [v1.0.0, v1.0.5] // broken',
            'godebug default=go1.21',
            'exclude "example.com/q" v0.1.0',
            'frobnicate x',
            'module a /* no */',
        ].join('\n'),
    );
    assert.equal(scopeOf(lines, 0, 'Deprecated:'), 'keyword.other.deprecated.gomod');
    assert.equal(scopeOf(lines, 1, 'module'), 'keyword.other.directive.gomod');
    assert.equal(scopeOf(lines, 1, 'example.com/m'), 'entity.name.namespace.module-path.gomod');
    assert.equal(scopeOf(lines, 3, 'go'), 'keyword.other.directive.gomod');
    assert.equal(scopeOf(lines, 3, '1.22.0'), 'constant.numeric.version.go.gomod');
    assert.equal(scopeOf(lines, 4, 'go1.22.5'), 'constant.other.toolchain.gomod');
    assert.equal(scopeOf(lines, 6, 'require'), 'keyword.other.directive.gomod');
    assert.equal(scopeOf(lines, 6, '('), 'punctuation.section.block.begin.gomod');
    // The v3 inside the path is part of the path, not a version.
    assert.equal(scopeOf(lines, 7, 'gopkg.in/yaml.v3'), 'entity.name.namespace.module-path.gomod');
    assert.equal(scopeOf(lines, 7, 'v3.0.1'), 'constant.numeric.version.gomod');
    assert.equal(scopeOf(lines, 8, 'v0.0.0-20240101000000-0123456789ab'), 'constant.numeric.version.gomod');
    assert.equal(scopeOf(lines, 8, 'indirect'), 'keyword.other.indirect.gomod');
    assert.equal(scopeOf(lines, 9, 'v2.0.0+incompatible'), 'constant.numeric.version.gomod');
    assert.equal(scopeOf(lines, 10, ')'), 'punctuation.section.block.end.gomod');
    // After the block the grammar is back at top level.
    assert.equal(scopeOf(lines, 11, 'require'), 'keyword.other.directive.gomod');
    assert.equal(scopeOf(lines, 11, 'v1.2'), 'constant.numeric.version.gomod');
    assert.equal(scopeOf(lines, 12, '=>'), 'keyword.operator.arrow.gomod');
    assert.equal(scopeOf(lines, 12, '../a'), 'string.unquoted.file-path.gomod');
    assert.equal(scopeOf(lines, 13, 'example.com/c'), 'entity.name.namespace.module-path.gomod');
    assert.equal(scopeOf(lines, 14, '['), 'punctuation.definition.interval.begin.gomod');
    assert.equal(scopeOf(lines, 14, 'v1.0.5'), 'constant.numeric.version.gomod');
    assert.equal(scopeOf(lines, 14, ' broken'), 'comment.line.double-slash.gomod');
    assert.equal(scopeOf(lines, 15, 'default'), 'variable.other.godebug.gomod');
    assert.equal(scopeOf(lines, 15, '='), 'keyword.operator.assignment.gomod');
    assert.equal(scopeOf(lines, 15, 'go1.21'), 'constant.other.godebug-value.gomod');
    assert.equal(scopeOf(lines, 16, 'example.com/q'), 'string.quoted.double.gomod');
    // An unknown directive is not coloured as one.
    assert.equal(scopeOf(lines, 17, 'frobnicate'), 'entity.name.namespace.module-path.gomod');
    assert.equal(scopeOf(lines, 18, '/*'), 'invalid.illegal.block-comment.gomod');
});

test('go.mod: a "(" that is not followed by the end of the line does not open a block', async () => {
    const lines = await tokenize('source.gomod', 'require ( example.com/a v1.0.0 )\nmodule m');
    assert.equal(scopeOf(lines, 1, 'module'), 'keyword.other.directive.gomod');
});

test('go.work: use and replace, and go.mod-only directives are not directives', async () => {
    const lines = await tokenize(
        'source.gowork',
        ['go 1.23', 'use (', '\t./a', '\t../b // sibling', ')', 'replace example.com/x => ./x', 'require example.com/y v1.0.0'].join('\n'),
    );
    assert.equal(scopeOf(lines, 0, 'go'), 'keyword.other.directive.gomod');
    assert.equal(scopeOf(lines, 0, '1.23'), 'constant.numeric.version.go.gomod');
    assert.equal(scopeOf(lines, 1, 'use'), 'keyword.other.directive.gowork');
    assert.equal(scopeOf(lines, 2, './a'), 'string.unquoted.file-path.gomod');
    assert.equal(scopeOf(lines, 3, '../b'), 'string.unquoted.file-path.gomod');
    assert.equal(scopeOf(lines, 4, ')'), 'punctuation.section.block.end.gowork');
    assert.equal(scopeOf(lines, 5, '=>'), 'keyword.operator.arrow.gomod');
    assert.notEqual(scopeOf(lines, 6, 'require'), 'keyword.other.directive.gomod');
    assert.notEqual(scopeOf(lines, 6, 'require'), 'keyword.other.directive.gowork');
});

test('go.sum: fields of an entry, and malformed lines', async () => {
    const lines = await tokenize(
        'source.gosum',
        [
            'golang.org/x/mod v0.17.0 h1:zY54UmvipHiNd+pm+m0x9KhZ9hl1/7QNMyxXbc6ICqA=',
            'golang.org/x/mod v0.17.0/go.mod h1:hTbmBsO62+eylJbnUtE2MGJUyE7QWk4xUqPFrRgJ+7c=',
            'golang.org/x/mod v0.17.0',
        ].join('\n'),
    );
    assert.equal(scopeOf(lines, 0, 'golang.org/x/mod'), 'entity.name.namespace.module-path.gosum');
    assert.equal(scopeOf(lines, 0, 'v0.17.0'), 'constant.numeric.version.gosum');
    assert.equal(scopeOf(lines, 0, 'h1:'), 'storage.type.hash-algorithm.gosum');
    assert.equal(scopeOf(lines, 0, 'zY54UmvipHiNd+pm+m0x9KhZ9hl1/7QNMyxXbc6ICqA='), 'string.unquoted.hash.gosum');
    assert.equal(scopeOf(lines, 1, '/go.mod'), 'keyword.other.go-mod-suffix.gosum');
    assert.equal(scopeOf(lines, 2, 'golang.org/x/mod v0.17.0'), 'invalid.illegal.malformed-line.gosum');
});
