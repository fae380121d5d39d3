// Public API of the TaskRouter routing engine: the expression language, the
// workflow model/validator/compiler, step evaluation, the simulator and its
// renderings. The emulator, the stack and the `workflow` CLI import from here.

export type { Clock, Finding, RoutingQueue, RoutingTask, RoutingWorker } from './types';

// Expressions
export type { ExpressionKind, BooleanExpressionKind } from './expression/kinds';
export type { ExpressionNode, ComparisonOperator, OperandNode, PathNode, PathSegment, LiteralNode, ArrayNode } from './expression/ast';
export { ExpressionSyntaxError } from './expression/errors';
export { parseExpression, parseOrderBy, parsePathReference, type OrderByClause } from './expression/parser';
export { compileExpression, type CompiledExpression, type CompileOptions } from './expression/compile';
export { timeOfDay, systemClock, type ExpressionContext, type WorkerView, type WorkerActivityCounts, type TimeOfDay } from './expression/context';
export { applyOperator } from './expression/values';
export { canonicalizeExpression, canonicalizeOrderBy, printExpression, quoteString, tryQuoteStringLiteral } from './expression/canonical';

// Workflows
export type { WorkflowConfiguration, WorkflowConfigurationInput, WorkflowFilter, WorkflowTarget, WorkflowDefaultFilter } from './workflow/model';
export { validateWorkflowConfiguration, validateTargetWorkersExpression, type ValidateOptions } from './workflow/validate';
export { compileWorkflow, asCompiledWorkflow, WorkflowValidationError, type CompiledWorkflow, type CompiledFilter, type RoutingStep, type KnownWorkerRule, type OrderByRule } from './workflow/compile';
export { canonicalizeWorkflowConfiguration, stableStringify } from './workflow/canonical';

// Routing
export {
  queueMembers,
  computeQueueMembership,
  evaluateRoutingStep,
  orderForOffer,
  hasChannelCapacity,
  countActivities,
  type StepEvaluation,
  type StepEvaluationInput,
  type Exclusion,
  type ExclusionReason,
  type KnownWorkerResolution,
  type KnownWorkerStatus,
} from './eligibility';
export {
  walkWorkflow,
  routeTask,
  matchFilter,
  stepAt,
  stepsOf,
  stepTimedOut,
  type WalkInput,
  type WalkStart,
  type WalkEnd,
  type StepVisit,
  type StepTransition,
  type RouteTaskInput,
  type RoutingDecision,
} from './walk';
export { simulate, type SimulateInput, type RoutingTrace, type TraceStep, type TraceEnd, type FilterCheck, type TraceWorker } from './simulate';
export { formatTrace } from './format';
export { explainNobodyEligible, formatNobodyEligible, type NobodyEligible, type StepExplanation, type WorkerExplanation, type BlockingReason, type ExplainInput } from './explain';
export { workflowToMermaid, mermaidLabel, type MermaidOptions } from './mermaid';
