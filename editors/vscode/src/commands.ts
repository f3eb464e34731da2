// The command ids, shared by the extension and the manifest test.
export const COMMANDS = {
  restartServer: "xsguard.restartServer",
  auditWorkspace: "xsguard.auditWorkspace",
  showOutput: "xsguard.showOutput",
} as const;
