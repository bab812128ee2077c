// Maps the extension's `gomodls.*` settings to the server's configuration object. The list of
// settings is the one in package.json (`contributes.configuration`), so adding a setting there is
// all it takes; test/settings-sync.test.mjs keeps that list equal to server/lsp/SETTINGS.md.

/** The configuration section the server asks for in `workspace/configuration`. */
export const SECTION = 'gomodls';

/**
 * Settings read by the extension itself and never sent to the server: where the binary is and
 * how to trace the protocol.
 */
export const CLIENT_ONLY_PREFIXES: readonly string[] = ['gomodls.server.', 'gomodls.trace.'];

/** True when `key` (a full `gomodls.*` name) is one the extension keeps to itself. */
export function isClientOnly(key: string): boolean {
    return CLIENT_ONLY_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** A JSON object as the server receives it. */
export type JsonObject = { [key: string]: JsonValue };
/** A JSON value as the server receives it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** The setting names contributed in a package.json manifest, in manifest order. */
export function contributedSettings(packageJson: unknown): string[] {
    const contributes = (packageJson as { contributes?: { configuration?: unknown } }).contributes;
    const configuration = contributes?.configuration;
    // `contributes.configuration` may be one object or a list of them (categories).
    const sections = Array.isArray(configuration) ? configuration : configuration === undefined ? [] : [configuration];
    const keys: string[] = [];
    for (const section of sections) {
        const properties = (section as { properties?: Record<string, unknown> }).properties ?? {};
        keys.push(...Object.keys(properties));
    }
    return keys;
}

/** The settings the server receives: every contributed `gomodls.*` one not kept by the client. */
export function serverSettingKeys(packageJson: unknown): string[] {
    return contributedSettings(packageJson).filter((key) => key.startsWith(`${SECTION}.`) && !isClientOnly(key));
}

/**
 * Builds the server's configuration: `gomodls.a.b` becomes `{ a: { b: value } }`. Settings whose
 * value is undefined are left out so the server's documented defaults apply.
 *
 * @param keys full setting names, as from {@link serverSettingKeys}
 * @param read returns a setting's effective value (VS Code's `getConfiguration().get(key)`)
 */
export function serverConfiguration(keys: readonly string[], read: (key: string) => unknown): JsonObject {
    const result: JsonObject = {};
    for (const key of keys) {
        const value = read(key);
        if (value === undefined) {
            continue;
        }
        const parts = key.slice(SECTION.length + 1).split('.');
        let target: JsonObject = result;
        for (const part of parts.slice(0, -1)) {
            const existing = target[part];
            if (existing === undefined || existing === null || typeof existing !== 'object' || Array.isArray(existing)) {
                const created: JsonObject = {};
                target[part] = created;
                target = created;
            } else {
                target = existing;
            }
        }
        target[parts[parts.length - 1]] = toJson(value);
    }
    return result;
}

/**
 * Answers one `workspace/configuration` item: the whole server configuration for `gomodls`, the
 * matching part of it for `gomodls.x.y`, and null for sections that are not ours.
 */
export function configurationForSection(section: string | undefined, config: JsonObject): JsonValue {
    if (section === undefined || section === SECTION) {
        return config;
    }
    if (!section.startsWith(`${SECTION}.`)) {
        return null;
    }
    let current: JsonValue = config;
    for (const part of section.slice(SECTION.length + 1).split('.')) {
        if (current === null || typeof current !== 'object' || Array.isArray(current) || !(part in current)) {
            return null;
        }
        current = current[part];
    }
    return current;
}

/** Copies a setting value into plain JSON (VS Code hands out proxies and frozen objects). */
function toJson(value: unknown): JsonValue {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') {
        return value;
    }
    if (typeof value === 'number') {
        return Number.isFinite(value) ? value : null;
    }
    if (Array.isArray(value)) {
        return value.map(toJson);
    }
    if (typeof value === 'object') {
        const copy: JsonObject = {};
        for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
            if (inner !== undefined) {
                copy[key] = toJson(inner);
            }
        }
        return copy;
    }
    return null;
}
