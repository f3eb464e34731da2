// Turning the `xsguard.*` settings into what the language server reads. No `vscode` import.

export const SEVERITY_LEVELS = ["off", "info", "warning", "error"] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

const RULE_CODE = /^XS\d{3}$/;

export interface NormalizedSeverity {
  /** code → level, codes upper-cased, sorted by code. */
  severity: Record<string, SeverityLevel>;
  /** One message per entry that was dropped. */
  problems: string[];
}

/** Validates the `xsguard.severity` map; bad entries are dropped with a message. */
export function normalizeSeverity(raw: unknown): NormalizedSeverity {
  const severity: Record<string, SeverityLevel> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { severity, problems };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push(`"xsguard.severity" must be an object such as {"XS301": "off"}`);
    return { severity, problems };
  }
  const entries = Object.entries(raw as Record<string, unknown>).map(
    ([code, level]) => [code.trim().toUpperCase(), level] as const,
  );
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [code, level] of entries) {
    if (!RULE_CODE.test(code)) {
      problems.push(`"xsguard.severity": "${code}" is not a rule code (like XS301)`);
      continue;
    }
    const value = typeof level === "string" ? level.trim().toLowerCase() : level;
    if (typeof value !== "string" || !(SEVERITY_LEVELS as readonly string[]).includes(value)) {
      problems.push(`"xsguard.severity": ${code} must be one of ${SEVERITY_LEVELS.join(", ")}, not ${JSON.stringify(level)}`);
      continue;
    }
    severity[code] = value as SeverityLevel;
  }
  return { severity, problems };
}

/** What the server gets as `initializationOptions` and in `workspace/didChangeConfiguration`. */
export interface ServerSettings {
  severity: Record<string, SeverityLevel>;
}

export function serverSettings(severity: unknown): ServerSettings {
  return { severity: normalizeSeverity(severity).severity };
}

/** Settings whose change needs a new server process rather than a notification. */
export const RESTART_SETTINGS = ["xsguard.path"] as const;
/** Settings the running server is told about. */
export const NOTIFY_SETTINGS = ["xsguard.severity"] as const;

/**
 * The answer to a `workspace/configuration` request: the `xsguard` section in the same shape as
 * `initializationOptions`, every other item as the editor answered it.
 */
export function configurationAnswer(
  items: ReadonlyArray<{ section?: string }>,
  answers: readonly unknown[],
  severity: unknown,
): unknown[] {
  return items.map((item, i) => (item.section === "xsguard" ? serverSettings(severity) : answers[i] ?? null));
}
