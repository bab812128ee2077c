// Bundles the extension and vscode-languageclient into one file, dist/extension.js, so the
// .vsix carries no node_modules.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
    absWorkingDir: root,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // VS Code 1.91, the oldest the manifest allows, runs extensions on Node.js 20.
    target: 'node20',
    external: ['vscode'],
    minify: true,
    keepNames: true,
    sourcemap: false,
    logLevel: 'warning',
});
