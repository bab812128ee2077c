// The status bar item's state: where the server's module data comes from (the `gomodls/status`
// notification) and whether the server runs at all. Pure, so it is unit tested without VS Code.

/** The notification the server sends when its source of module data changes. */
export const STATUS_NOTIFICATION = 'gomodls/status';

/** Where module data comes from, as the server reports it. */
export type ModuleData = 'live' | 'cached' | 'offline';

/** Everything the status bar item can show. */
export type ServerState =
    | { readonly kind: 'starting' }
    | { readonly kind: 'running'; readonly moduleData: ModuleData | undefined }
    | { readonly kind: 'stopped' }
    | { readonly kind: 'failed'; readonly reason: string };

/** What the status bar item shows for a state. */
export interface Presentation {
    /** The item's text, with a `$(codicon)`. */
    readonly text: string;
    readonly tooltip: string;
    /** A theme color id for the item's background, for states that need attention. */
    readonly backgroundColor: 'statusBarItem.warningBackground' | 'statusBarItem.errorBackground' | undefined;
}

/**
 * Reads a `gomodls/status` notification's parameters. Returns undefined for anything that is not
 * `{ "moduleData": "live" | "cached" | "offline" }`, so a malformed message changes nothing.
 */
export function parseStatusParams(params: unknown): ModuleData | undefined {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
        return undefined;
    }
    const moduleData = (params as { moduleData?: unknown }).moduleData;
    switch (moduleData) {
        case 'live':
        case 'cached':
        case 'offline':
            return moduleData;
        default:
            return undefined;
    }
}

/** The state after a `gomodls/status` notification; other states are left as they are. */
export function applyStatusNotification(state: ServerState, params: unknown): ServerState {
    const moduleData = parseStatusParams(params);
    if (moduleData === undefined) {
        return state;
    }
    // A notification can only come from a running server, even one that raced a stop.
    return { kind: 'running', moduleData };
}

/** How a state is shown in the status bar. */
export function present(state: ServerState): Presentation {
    switch (state.kind) {
        case 'starting':
            return { text: '$(sync~spin) gomodls', tooltip: 'gomodls: starting the language server', backgroundColor: undefined };
        case 'stopped':
            return { text: '$(circle-slash) gomodls', tooltip: 'gomodls: the language server is stopped', backgroundColor: 'statusBarItem.warningBackground' };
        case 'failed':
            return { text: '$(error) gomodls', tooltip: `gomodls: ${state.reason}`, backgroundColor: 'statusBarItem.errorBackground' };
        case 'running':
            switch (state.moduleData) {
                case 'live':
                    return { text: '$(cloud) gomodls: live', tooltip: 'gomodls: module data is live from the module proxy', backgroundColor: undefined };
                case 'cached':
                    return { text: '$(database) gomodls: cached', tooltip: 'gomodls: module data comes from the cache; the module proxy is not being asked', backgroundColor: undefined };
                case 'offline':
                    return { text: '$(cloud-offline) gomodls: offline', tooltip: 'gomodls: offline; module data may be missing or out of date', backgroundColor: 'statusBarItem.warningBackground' };
                case undefined:
                    return { text: '$(check) gomodls', tooltip: 'gomodls: the language server is running', backgroundColor: undefined };
            }
    }
}
