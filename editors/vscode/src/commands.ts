// The server commands the extension offers in the command palette, and which file each one
// acts on. Pure, so it is unit tested without VS Code.

import * as path from 'node:path';

/** A palette command that runs a server command through `workspace/executeCommand`. */
export interface ServerCommand {
    /** The extension's command id (in package.json `contributes.commands`). */
    readonly clientId: string;
    /** The command the server lists in `executeCommandProvider.commands`. */
    readonly serverId: string;
    /** The context key that shows the palette entry once the server offers the command. */
    readonly contextKey: string;
}

/** The server commands, in palette order. */
export const SERVER_COMMANDS: readonly ServerCommand[] = [
    { clientId: 'gomodls.commands.upgradeAll', serverId: 'gomodls.upgradeAll', contextKey: 'gomodls.serverSupports.upgradeAll' },
    { clientId: 'gomodls.commands.verifyGoSum', serverId: 'gomodls.verifyGoSum', contextKey: 'gomodls.serverSupports.verifyGoSum' },
];

/** The languages the extension serves, with the Go extension's ids. */
export const LANGUAGE_IDS: readonly string[] = ['go.mod', 'go.sum', 'go.work'];

/**
 * The value of every command's context key given the server's `initialize` capabilities: true
 * exactly when the server lists the command. Undefined capabilities (no server) hide them all.
 */
export function commandContext(capabilities: unknown): Map<string, boolean> {
    const offered = new Set<string>();
    const provider = (capabilities as { executeCommandProvider?: { commands?: unknown } } | undefined)?.executeCommandProvider;
    if (provider !== undefined && Array.isArray(provider.commands)) {
        for (const command of provider.commands) {
            if (typeof command === 'string') {
                offered.add(command);
            }
        }
    }
    return new Map(SERVER_COMMANDS.map((command) => [command.contextKey, offered.has(command.serverId)]));
}

/**
 * The module or workspace file a server command acts on, given the active editor's file: a
 * go.mod or go.work is itself, a go.sum is the go.mod beside it and a go.work.sum the go.work
 * beside it. Undefined for any other file.
 */
export function moduleFileFor(fileName: string): string | undefined {
    const base = path.basename(fileName);
    const directory = path.dirname(fileName);
    switch (base) {
        case 'go.mod':
        case 'go.work':
            return fileName;
        case 'go.sum':
            return path.join(directory, 'go.mod');
        case 'go.work.sum':
            return path.join(directory, 'go.work');
        default:
            return undefined;
    }
}
