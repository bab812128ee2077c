// Finds the `gomodls` binary: the `gomodls.server.path` setting, then the binary bundled in the
// .vsix (`server/gomodls`), then `PATH`. Pure apart from file-system reads, so it is unit tested
// without VS Code.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where a found binary came from, in the order they are tried. */
export type ServerSource = 'setting' | 'bundled' | 'path';

/** Everything discovery looks at, passed in so tests can build any situation. */
export interface DiscoveryInput {
    /** The raw `gomodls.server.path` value (empty or undefined when unset). */
    readonly settingPath: string | undefined;
    /** The extension's install directory; the bundled binary lives in `server/` below it. */
    readonly extensionPath: string;
    /** The first workspace folder, used to expand `${workspaceFolder}` and relative paths. */
    readonly workspaceFolder: string | undefined;
    /** The environment whose `PATH` (and on Windows `PATHEXT`) is searched. */
    readonly env: NodeJS.ProcessEnv;
    /** `process.platform`; decides the executable name and the `PATH` separator. */
    readonly platform: NodeJS.Platform;
    /** The home directory for `~` expansion. */
    readonly homeDir?: string;
}

/** A binary that was found. */
export interface FoundServer {
    readonly kind: 'found';
    readonly command: string;
    readonly source: ServerSource;
}

/** No usable binary: `message` is the text shown to the user. */
export interface MissingServer {
    readonly kind: 'missing';
    readonly message: string;
    /** Every path that was looked at, for the output channel. */
    readonly tried: readonly string[];
    /** True when the setting named a path that is not an executable file. */
    readonly badSetting: boolean;
}

/** The result of {@link findServer}. */
export type Discovery = FoundServer | MissingServer;

/** The binary's file name on `platform`. */
export function binaryName(platform: NodeJS.Platform): string {
    return platform === 'win32' ? 'gomodls.exe' : 'gomodls';
}

/** The path of the binary bundled in the .vsix, whether or not it exists. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
    const join = platform === 'win32' ? path.win32.join : path.posix.join;
    return join(extensionPath, 'server', binaryName(platform));
}

/**
 * Expands `~`, `${workspaceFolder}` and `${env:NAME}` in the setting, and resolves a relative
 * result against the workspace folder. Returns undefined for an empty setting.
 */
export function expandSettingPath(input: DiscoveryInput): string | undefined {
    const raw = (input.settingPath ?? '').trim();
    if (raw === '') {
        return undefined;
    }
    const pathApi = input.platform === 'win32' ? path.win32 : path.posix;
    const home = input.homeDir ?? os.homedir();
    let expanded = raw.replace(/\$\{env:([^}]+)\}/g, (_match, name: string) => input.env[name] ?? '');
    if (input.workspaceFolder !== undefined) {
        expanded = expanded.split('${workspaceFolder}').join(input.workspaceFolder);
    }
    if (expanded === '~') {
        expanded = home;
    } else if (expanded.startsWith('~/') || (input.platform === 'win32' && expanded.startsWith('~\\'))) {
        expanded = pathApi.join(home, expanded.slice(2));
    }
    if (!pathApi.isAbsolute(expanded) && input.workspaceFolder !== undefined) {
        expanded = pathApi.resolve(input.workspaceFolder, expanded);
    }
    return expanded;
}

/** True when `file` is a regular file this process may execute. */
export function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
    try {
        if (!fs.statSync(file).isFile()) {
            return false;
        }
        if (platform !== 'win32') {
            fs.accessSync(file, fs.constants.X_OK);
        }
        return true;
    } catch {
        return false;
    }
}

/**
 * Makes the bundled binary executable when the .vsix lost its mode bits. Best effort: a failure
 * leaves the file as it was and discovery moves on.
 */
function repairBundledMode(file: string, platform: NodeJS.Platform): void {
    if (platform === 'win32') {
        return;
    }
    try {
        if (fs.statSync(file).isFile()) {
            fs.chmodSync(file, 0o755);
        }
    } catch {
        // Not there or not ours to change: discovery goes on to PATH.
    }
}

/** Every candidate in `PATH`, in order, with `PATHEXT` variants on Windows. */
export function pathCandidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
    const pathApi = platform === 'win32' ? path.win32 : path.posix;
    // Windows environments spell it `Path` as often as `PATH`.
    const pathKey = Object.keys(env).find((key) => (platform === 'win32' ? key.toUpperCase() === 'PATH' : key === 'PATH'));
    const pathValue = pathKey === undefined ? '' : (env[pathKey] ?? '');
    const directories = pathValue.split(platform === 'win32' ? ';' : ':').filter((entry) => entry !== '');
    const names =
        platform === 'win32'
            ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM')
                  .split(';')
                  .filter((ext) => ext !== '')
                  .map((ext) => `gomodls${ext.toLowerCase()}`)
            : ['gomodls'];
    const candidates: string[] = [];
    for (const directory of directories) {
        for (const name of names) {
            candidates.push(pathApi.join(directory, name));
        }
    }
    return candidates;
}

/**
 * Finds the server binary. An explicit setting is authoritative: when it names something that
 * is not an executable file, that is reported instead of silently running another binary.
 */
export function findServer(input: DiscoveryInput): Discovery {
    const tried: string[] = [];
    const fromSetting = expandSettingPath(input);
    if (fromSetting !== undefined) {
        if (isExecutableFile(fromSetting, input.platform)) {
            return { kind: 'found', command: fromSetting, source: 'setting' };
        }
        tried.push(fromSetting);
        return {
            kind: 'missing',
            badSetting: true,
            tried,
            message: `The setting gomodls.server.path is "${input.settingPath}", but ${fromSetting} is not an executable file.`,
        };
    }

    const bundled = bundledServerPath(input.extensionPath, input.platform);
    if (!isExecutableFile(bundled, input.platform)) {
        repairBundledMode(bundled, input.platform);
    }
    if (isExecutableFile(bundled, input.platform)) {
        return { kind: 'found', command: bundled, source: 'bundled' };
    }
    tried.push(bundled);

    for (const candidate of pathCandidates(input.env, input.platform)) {
        if (isExecutableFile(candidate, input.platform)) {
            return { kind: 'found', command: candidate, source: 'path' };
        }
        tried.push(candidate);
    }

    return {
        kind: 'missing',
        badSetting: false,
        tried,
        message:
            'The gomodls language server was not found: this extension has no bundled binary for this platform, ' +
            'and there is no gomodls on PATH. Install it (cargo install --path server/lsp) or set gomodls.server.path.',
    };
}
