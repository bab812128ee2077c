// The VS Code side of gomodls: finds and starts the server, forwards settings, shows where module
// data comes from, and offers the server's commands. The logic worth testing lives in the pure
// modules beside this file; this one only wires them to VS Code.

import * as vscode from 'vscode';
import {
    ExecuteCommandRequest,
    LanguageClient,
    type LanguageClientOptions,
    type ServerOptions,
    State,
    TransportKind,
} from 'vscode-languageclient/node';

import { LANGUAGE_IDS, SERVER_COMMANDS, type ServerCommand, commandContext, moduleFileFor } from './commands';
import { SECTION, configurationForSection, serverConfiguration, serverSettingKeys } from './config';
import { findServer } from './discovery';
import { STATUS_NOTIFICATION, type ServerState, applyStatusNotification, present } from './status';

let controller: Controller | undefined;

/** Called by VS Code on the first go.mod, go.sum or go.work, or a workspace that has one. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
    controller = new Controller(context);
    context.subscriptions.push(controller);
    await controller.start();
}

/** Called by VS Code on shutdown: stops the server cleanly. */
export async function deactivate(): Promise<void> {
    await controller?.stop();
    controller = undefined;
}

class Controller implements vscode.Disposable {
    private readonly output: vscode.LogOutputChannel;
    private readonly statusItem: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private client: LanguageClient | undefined;
    private state: ServerState = { kind: 'starting' };
    /** Serialises start, stop and restart so a double click cannot start two servers. */
    private lifecycle: Promise<void> = Promise.resolve();

    constructor(private readonly context: vscode.ExtensionContext) {
        this.output = vscode.window.createOutputChannel('gomodls', { log: true });
        this.statusItem = vscode.window.createStatusBarItem('gomodls.status', vscode.StatusBarAlignment.Right, 100);
        this.statusItem.name = 'gomodls';
        this.statusItem.command = 'gomodls.showOutput';
        this.disposables.push(
            this.output,
            this.statusItem,
            vscode.commands.registerCommand('gomodls.restartServer', () => this.restart()),
            vscode.commands.registerCommand('gomodls.showOutput', () => this.output.show(true)),
            ...SERVER_COMMANDS.map((command) => vscode.commands.registerCommand(command.clientId, () => this.runServerCommand(command))),
            vscode.window.onDidChangeActiveTextEditor(() => this.renderStatus()),
            vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
        );
        this.setCommandContext(undefined);
        this.renderStatus();
    }

    start(): Promise<void> {
        return this.serialise(() => this.startNow());
    }

    stop(): Promise<void> {
        return this.serialise(() => this.stopNow());
    }

    restart(): Promise<void> {
        return this.serialise(async () => {
            this.output.appendLine('Restarting the server.');
            await this.stopNow();
            await this.startNow();
        });
    }

    dispose(): void {
        for (const disposable of this.disposables) {
            disposable.dispose();
        }
    }

    private serialise(step: () => Promise<void>): Promise<void> {
        this.lifecycle = this.lifecycle.then(step, step);
        return this.lifecycle;
    }

    private async startNow(): Promise<void> {
        this.setState({ kind: 'starting' });
        const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const discovery = findServer({
            settingPath: vscode.workspace.getConfiguration(SECTION).get<string>('server.path'),
            extensionPath: this.context.extensionPath,
            workspaceFolder,
            env: process.env,
            platform: process.platform,
        });
        if (discovery.kind === 'missing') {
            this.output.appendLine(discovery.message);
            for (const tried of discovery.tried) {
                this.output.appendLine(`  looked at: ${tried}`);
            }
            this.setState({ kind: 'failed', reason: discovery.badSetting ? 'gomodls.server.path is not an executable file' : 'no gomodls binary found' });
            void this.showMissingServer(discovery.message);
            return;
        }
        this.output.appendLine(`Starting ${discovery.command} (found via ${discovery.source}).`);

        const serverOptions: ServerOptions = {
            command: discovery.command,
            transport: TransportKind.stdio,
            options: { cwd: workspaceFolder, env: { ...process.env } },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: LANGUAGE_IDS.flatMap((language) => [
                { scheme: 'file', language },
                { scheme: 'untitled', language },
            ]),
            outputChannel: this.output,
            diagnosticCollectionName: 'gomodls',
            initializationOptions: this.serverConfiguration(undefined),
            synchronize: {
                fileEvents: vscode.workspace.createFileSystemWatcher('**/{go.mod,go.sum,go.work,go.work.sum}'),
            },
            middleware: {
                workspace: {
                    configuration: (params) =>
                        params.items.map((item) => {
                            const scope = item.scopeUri === undefined ? undefined : vscode.Uri.parse(item.scopeUri);
                            return configurationForSection(item.section, this.serverConfiguration(scope));
                        }),
                },
            },
        };
        const client = new LanguageClient('gomodls', 'gomodls', serverOptions, clientOptions);
        this.client = client;
        client.onDidChangeState((event) => {
            if (this.client !== client) {
                return;
            }
            if (event.newState === State.Running && this.state.kind !== 'running') {
                // The client restarts a crashed server by itself; show it as running again.
                this.setState({ kind: 'running', moduleData: undefined });
                this.setCommandContext(client.initializeResult?.capabilities);
            }
            if (event.newState === State.Stopped) {
                this.setCommandContext(undefined);
                if (this.state.kind !== 'failed') {
                    this.setState({ kind: 'stopped' });
                }
            }
        });
        client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
            if (this.client === client) {
                this.setState(applyStatusNotification(this.state, params));
            }
        });
        try {
            await client.start();
        } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            this.output.appendLine(`The server failed to start: ${reason}`);
            this.setState({ kind: 'failed', reason: `the server failed to start: ${reason}` });
            return;
        }
        // A `gomodls/status` may already have arrived during start-up.
        if (this.state.kind === 'starting') {
            this.setState({ kind: 'running', moduleData: undefined });
        }
        this.setCommandContext(client.initializeResult?.capabilities);
    }

    private async stopNow(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        this.setCommandContext(undefined);
        if (client === undefined) {
            return;
        }
        try {
            if (client.needsStop()) {
                await client.stop(5000);
            }
        } catch (error) {
            this.output.appendLine(`Stopping the server failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        await client.dispose().catch(() => undefined);
        this.setState({ kind: 'stopped' });
    }

    private serverConfiguration(scope: vscode.Uri | undefined) {
        const settings = vscode.workspace.getConfiguration(undefined, scope);
        return serverConfiguration(serverSettingKeys(this.context.extension.packageJSON), (key) => settings.get(key));
    }

    private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
        if (event.affectsConfiguration(`${SECTION}.server`)) {
            void this.restart();
            return;
        }
        if (event.affectsConfiguration(SECTION) && this.client?.isRunning()) {
            // Pushed as `{ settings: { gomodls: ... } }`; a server that pulls instead asks
            // `workspace/configuration` again, which the middleware above answers.
            void this.client.sendNotification('workspace/didChangeConfiguration', {
                settings: { [SECTION]: this.serverConfiguration(undefined) },
            });
        }
    }

    private async runServerCommand(command: ServerCommand): Promise<void> {
        const client = this.client;
        if (client === undefined || !client.isRunning()) {
            void vscode.window.showWarningMessage('gomodls: the language server is not running.');
            return;
        }
        if (!commandContext(client.initializeResult?.capabilities).get(command.contextKey)) {
            void vscode.window.showWarningMessage(`gomodls: this server does not offer ${command.serverId}.`);
            return;
        }
        const target = await this.pickModuleFile();
        if (target === undefined) {
            return;
        }
        const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
            command: command.serverId,
            arguments: [{ uri: target.toString() }],
        });
        this.output.appendLine(`${command.serverId} ${target.toString()}: ${JSON.stringify(result)}`);
        const message = typeof result === 'string' ? result : (result as { message?: unknown } | null)?.message;
        if (typeof message === 'string' && message !== '') {
            void vscode.window.showInformationMessage(message);
        }
    }

    /** The active go.mod/go.work (or the one beside the active go.sum), else one from the workspace. */
    private async pickModuleFile(): Promise<vscode.Uri | undefined> {
        const active = vscode.window.activeTextEditor?.document;
        if (active !== undefined && active.uri.scheme === 'file') {
            const fromActive = moduleFileFor(active.uri.fsPath);
            if (fromActive !== undefined) {
                return vscode.Uri.file(fromActive);
            }
        }
        const found = await vscode.workspace.findFiles('**/{go.mod,go.work}', '**/{vendor,node_modules,testdata}/**', 100);
        if (found.length === 0) {
            void vscode.window.showInformationMessage('gomodls: no go.mod or go.work in this workspace.');
            return undefined;
        }
        if (found.length === 1) {
            return found[0];
        }
        const picked = await vscode.window.showQuickPick(
            found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
            { placeHolder: 'Which module or workspace?' },
        );
        return picked?.uri;
    }

    private async showMissingServer(message: string): Promise<void> {
        const openSettings = 'Set gomodls.server.path';
        const howToInstall = 'How to install';
        const choice = await vscode.window.showErrorMessage(message, openSettings, howToInstall);
        if (choice === openSettings) {
            await vscode.commands.executeCommand('workbench.action.openSettings', 'gomodls.server.path');
        } else if (choice === howToInstall) {
            // The extension's own page shows its README, whose "Installing the server" section
            // says where the binary comes from; it works offline.
            await vscode.commands.executeCommand('extension.open', this.context.extension.id);
        }
    }

    private setState(state: ServerState): void {
        this.state = state;
        this.renderStatus();
    }

    private renderStatus(): void {
        const presentation = present(this.state);
        this.statusItem.text = presentation.text;
        this.statusItem.tooltip = presentation.tooltip;
        this.statusItem.backgroundColor = presentation.backgroundColor === undefined ? undefined : new vscode.ThemeColor(presentation.backgroundColor);
        const language = vscode.window.activeTextEditor?.document.languageId;
        if (language !== undefined && LANGUAGE_IDS.includes(language)) {
            this.statusItem.show();
        } else {
            this.statusItem.hide();
        }
    }

    private setCommandContext(capabilities: unknown): void {
        for (const [key, value] of commandContext(capabilities)) {
            void vscode.commands.executeCommand('setContext', key, value);
        }
    }
}
