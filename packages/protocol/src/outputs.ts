import { z } from 'zod';
import { Priority } from './phases';

/**
 * Phase outputs: the `phase_output` of `spec.phase_completed`. Objects are loose (unknown keys are
 * kept) so a model-backed executor may add fields; the fields named here are the contract.
 */
const text = z.string();

export const KeyFile = z.object({ path: z.string().min(1), purpose: z.string() });
export type KeyFile = z.infer<typeof KeyFile>;

/** A place in the repository: a fact's name and where it is declared. */
export const CodeLocated = z.looseObject({ name: z.string(), file: z.string(), line: z.number().int().nonnegative().optional(), kind: z.string().optional() });
export type CodeLocated = z.infer<typeof CodeLocated>;
export const CodeRoute = z.looseObject({ method: z.string(), path: z.string(), file: z.string(), line: z.number().int().nonnegative().optional(), framework: z.string().optional(), handler: z.string().optional() });
export type CodeRoute = z.infer<typeof CodeRoute>;
export const CodeModel = z.looseObject({ name: z.string(), file: z.string(), line: z.number().int().nonnegative().optional(), framework: z.string().optional(), fields: z.array(z.string()).optional(), table: z.string().optional() });
export type CodeModel = z.infer<typeof CodeModel>;
export const TestLayout = z.looseObject({
  runner: z.string().nullable(),
  runners: z.array(z.string()),
  /** `separate` (a tests/ tree), `colocated` (next to the code), `mixed`, or `none`. */
  layout: z.string(),
  dirs: z.array(z.string()),
  /** File-name pattern of the tests (`test_*.py`, `*.test.ts`, `*Test.java`). */
  pattern: z.string().nullable(),
  files: z.number().int().nonnegative(),
  examples: z.array(z.string()),
  /** How the repository runs them (`pytest`, `npx vitest run`, `mvn test`), when known. */
  command: z.string().nullable(),
});
export type TestLayout = z.infer<typeof TestLayout>;
export const RelatedCode = z.looseObject({ path: z.string(), symbol: z.string().optional(), line: z.number().int().optional(), score: z.number(), reason: z.string() });
export type RelatedCode = z.infer<typeof RelatedCode>;

export const ExploreOutput = z.looseObject({
  codebase_summary: text,
  project_type: text,
  tech_stack: z.array(z.string()),
  structure: z.record(z.string(), z.string()),
  key_files: z.array(KeyFile),
  conventions: z.record(z.string(), z.unknown()),
  entry_points: z.array(z.string()),
  test_structure: text,
  feature_summary: z.looseObject({
    name: text,
    one_liner: text,
    scope_in: z.array(z.string()),
    scope_out: z.array(z.string()),
  }),
  languages: z.array(z.object({ name: z.string(), files: z.number().int().nonnegative() })).optional(),
  manifests: z
    .array(z.looseObject({ path: z.string(), kind: z.string(), name: z.string().optional(), dependencies: z.array(z.string()) }))
    .optional(),
  frameworks: z.array(z.string()).optional(),
  workspaces: z.array(z.string()).optional(),
  files_scanned: z.number().int().nonnegative().optional(),
  /** False when the project has no connected repository: the plan is written from the request alone. */
  has_codebase: z.boolean().optional(),
  /** The commit EXPLORE read, when the code base is a git checkout. */
  repo_commit: z.string().nullable().optional(),
  /** Facts read inside files by the code index (see packages/sandbox/src/codeindex). */
  routes: z.array(CodeRoute).optional(),
  data_models: z.array(CodeModel).optional(),
  settings: z.array(CodeLocated).optional(),
  auth: z.array(CodeLocated).optional(),
  entry_point_details: z.array(z.looseObject({ path: z.string(), kind: z.string(), line: z.number().int().optional() })).optional(),
  test_layout: TestLayout.optional(),
  /** Files and symbols the index ranks as relevant to the request, best first, with why. */
  related_code: z.array(RelatedCode).optional(),
});
export type ExploreOutput = z.infer<typeof ExploreOutput>;

export const PrdOutput = z.looseObject({
  overview: z.looseObject({ one_liner: text, problem_statement: text, solution_summary: text }),
  goals: z.array(z.string()),
  user_stories: z.array(
    z.looseObject({ id: z.string(), role: text, want: text, benefit: text, acceptance_criteria: z.array(z.string()) }),
  ),
  scope: z.looseObject({ in_scope: z.array(z.string()), out_of_scope: z.array(z.string()) }),
});
export type PrdOutput = z.infer<typeof PrdOutput>;

export const AcceptanceCriterion = z.object({ id: z.string().min(1), text: z.string().min(1) });
export type AcceptanceCriterion = z.infer<typeof AcceptanceCriterion>;

export const RequirementType = z.enum(['functional', 'non_functional', 'security', 'performance', 'usability', 'reliability', 'constraint']);
export type RequirementType = z.infer<typeof RequirementType>;

export const RequirementItem = z.looseObject({
  id: z.string().min(1),
  title: z.string().min(1),
  type: z.string(),
  priority: Priority,
  /** EARS: WHEN/IF/WHILE/WHERE … THE SYSTEM SHALL … */
  text: z.string().min(1),
  acceptance_criteria: z.array(AcceptanceCriterion),
});
export type RequirementItem = z.infer<typeof RequirementItem>;

export const RequirementsOutput = z.looseObject({
  feature_name: z.string().optional(),
  requirements: z.array(RequirementItem),
});
export type RequirementsOutput = z.infer<typeof RequirementsOutput>;

export const DesignComponent = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  responsibility: z.string(),
  file_path: z.string().optional(),
  requirements: z.array(z.string()).optional(),
});
export type DesignComponent = z.infer<typeof DesignComponent>;

export const DataModel = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  fields: z.array(z.object({ name: z.string(), type: z.string(), description: z.string().optional() })),
});
export type DataModel = z.infer<typeof DataModel>;

export const ApiEndpoint = z.looseObject({ method: z.string().min(1), path: z.string().min(1), description: z.string() });
export type ApiEndpoint = z.infer<typeof ApiEndpoint>;

export const DesignOutput = z.looseObject({
  architecture_overview: text,
  architecture_diagram: z.string().optional(),
  components: z.array(DesignComponent),
  data_models: z.array(DataModel),
  api_endpoints: z.array(ApiEndpoint),
  error_handling: text,
  testing_strategy: text,
});
export type DesignOutput = z.infer<typeof DesignOutput>;

export const TicketItem = z.looseObject({
  id: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  priority: Priority,
  requirements: z.array(z.string()),
});
export type TicketItem = z.infer<typeof TicketItem>;

export const TaskItem = z.looseObject({
  id: z.string().min(1),
  ticket_id: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  estimated_hours: z.number().positive(),
  depends_on: z.array(z.string()),
  requirements: z.array(z.string()),
  components: z.array(z.string()).optional(),
});
export type TaskItem = z.infer<typeof TaskItem>;

export const TasksOutput = z.looseObject({
  tickets: z.array(TicketItem),
  tasks: z.array(TaskItem),
});
export type TasksOutput = z.infer<typeof TasksOutput>;

export const SyncOutput = z.looseObject({
  coverage: z.array(z.object({ requirement_id: z.string(), task_ids: z.array(z.string()) })),
  coverage_percent: z.number().min(0).max(100),
  dependency_order_valid: z.boolean(),
  cycles: z.array(z.array(z.string())),
  dangling_refs: z.array(z.object({ from: z.string(), to: z.string(), field: z.string() })),
  ready_for_execution: z.boolean(),
  blockers: z.array(z.string()),
});
export type SyncOutput = z.infer<typeof SyncOutput>;

/** The output schema of each phase. */
export const PhaseOutputSchemas = {
  explore: ExploreOutput,
  prd: PrdOutput,
  requirements: RequirementsOutput,
  design: DesignOutput,
  tasks: TasksOutput,
  sync: SyncOutput,
} as const;

export interface PhaseOutputs {
  explore: ExploreOutput;
  prd: PrdOutput;
  requirements: RequirementsOutput;
  design: DesignOutput;
  tasks: TasksOutput;
  sync: SyncOutput;
}

/** Outputs of finished phases, keyed by phase: the `phase_data` of a spec and the context of a resumed run. */
export const PhaseData = z.record(z.string(), z.record(z.string(), z.unknown()));
export type PhaseData = z.infer<typeof PhaseData>;
