// Compiles a parsed expression into a closure tree once; evaluation then does
// no parsing, no name lookups by kind and no allocation beyond path walking.
// This is also where a kind's naming rules are enforced (target expressions
// need `task.`/`worker.`, skip_if only sees `workers.*`, …).

import { pathToString, type ExpressionNode, type OperandNode, type PathNode } from './ast';
import { systemClock, timeOfDay, type ExpressionContext, type TimeOfDay, type WorkerView } from './context';
import { ExpressionSyntaxError } from './errors';
import type { BooleanExpressionKind } from './kinds';
import { parseExpression } from './parser';
import { applyOperator, resolveSegments, type Value } from './values';

export interface CompiledExpression {
  readonly source: string;
  readonly kind: BooleanExpressionKind;
  readonly ast: ExpressionNode;
  /** Whether the expression reads `taskrouter.*` (evaluate then reads the clock once). */
  readonly usesTime: boolean;
  /** Attribute paths the expression references, as written (`task.workerSidsInConversation`). */
  readonly references: readonly string[];
  evaluate(context: ExpressionContext): boolean;
}

export interface CompileOptions {
  kind: BooleanExpressionKind;
}

type Getter = (context: ExpressionContext) => Value;
type Predicate = (context: ExpressionContext) => boolean;

const TIME_VARIABLES: readonly (keyof TimeOfDay)[] = ['currentTime', 'currentHour', 'currentMin', 'dayOfWeek'];

/** Worker fields a target expression reads from the worker itself rather than its attributes. */
const WORKER_FIELDS: Readonly<Record<string, (worker: WorkerView) => Value>> = {
  sid: (worker) => worker.sid,
  friendly_name: (worker) => worker.friendlyName,
  activity_sid: (worker) => worker.activitySid,
  activity_name: (worker) => worker.activityName,
};

/** `worker.channel.<unique_name>.<field>`: live channel state seen in production target expressions. */
const CHANNEL_FIELDS: Readonly<Record<string, (channel: { capacity: number; assignedTasks: number; available: boolean }) => Value>> = {
  assigned_tasks: (channel) => channel.assignedTasks,
  configured_capacity: (channel) => channel.capacity,
  available: (channel) => channel.available,
  available_capacity_percentage: (channel) => (channel.capacity > 0 ? Math.max(0, Math.floor(((channel.capacity - channel.assignedTasks) * 100) / channel.capacity)) : 0),
};

/**
 * Parses and compiles `source` for the given kind. Throws
 * `ExpressionSyntaxError` (with `.position` and `.expected`) when the text is
 * not an expression or references a name the kind does not allow.
 */
export function compileExpression(source: string, options: CompileOptions): CompiledExpression {
  const { kind } = options;
  const ast = parseExpression(source, kind);
  const state: CompileState = { source, kind, usesTime: false, references: [] };
  const predicate = compileNode(ast, state);
  const usesTime = state.usesTime;
  const evaluate = usesTime ? (context: ExpressionContext): boolean => predicate(context.now ? context : { ...context, now: (context.clock ?? systemClock)() }) : predicate;
  return { source, kind, ast, usesTime, references: state.references, evaluate };
}

interface CompileState {
  source: string;
  kind: BooleanExpressionKind;
  usesTime: boolean;
  references: string[];
}

function compileNode(node: ExpressionNode, state: CompileState): Predicate {
  switch (node.type) {
    case 'and': {
      const operands = node.operands.map((operand) => compileNode(operand, state));
      return (context) => {
        for (const operand of operands) if (!operand(context)) return false;
        return true;
      };
    }
    case 'or': {
      const operands = node.operands.map((operand) => compileNode(operand, state));
      return (context) => {
        for (const operand of operands) if (operand(context)) return true;
        return false;
      };
    }
    case 'comparison': {
      const left = compileOperand(node.left, state);
      const right = compileOperand(node.right, state);
      const operator = node.operator;
      return (context) => applyOperator(operator, left(context), right(context));
    }
  }
}

function compileOperand(node: OperandNode, state: CompileState): Getter {
  switch (node.type) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'array': {
      const values = Object.freeze(node.elements.map((element) => element.value));
      return () => values;
    }
    case 'path':
      state.references.push(pathToString(node.segments));
      return compilePath(node, state);
  }
}

function reject(state: CompileState, path: PathNode, expected: readonly string[], hint?: string): never {
  throw new ExpressionSyntaxError(state.source, state.kind, path.position, `'${pathToString(path.segments)}'`, expected, hint);
}

function keysOf(path: PathNode, from: number): (string | number)[] {
  return path.segments.slice(from).map((segment) => (segment.kind === 'key' ? segment.name : segment.index));
}

function compilePath(path: PathNode, state: CompileState): Getter {
  const [head, second] = path.segments;
  const root = head.kind === 'key' ? head.name : '';

  if (root === 'taskrouter') return compileTimeVariable(path, state);

  switch (state.kind) {
    case 'filter': {
      const keys = keysOf(path, 0);
      return (context) => resolveSegments(context.task, keys);
    }
    case 'queue': {
      const keys = keysOf(path, 0);
      return (context) => resolveSegments(context.worker?.attributes, keys);
    }
    case 'skip_if': {
      const name = second?.kind === 'key' ? second.name : '';
      const valid = root === 'workers' && path.segments.length === 2 && (name === 'available' || name === 'unavailable' || /^WA[A-Za-z0-9]+$/.test(name));
      if (!valid) {
        reject(state, path, ['workers.available', 'workers.unavailable', 'workers.WA<activity sid>'], "skip_if counts the step's queue workers by activity");
      }
      if (name === 'available') return (context) => context.workers?.available ?? 0;
      if (name === 'unavailable') return (context) => context.workers?.unavailable ?? 0;
      return (context) => context.workers?.byActivitySid[name] ?? 0;
    }
    case 'target': {
      if ((root !== 'task' && root !== 'worker') || path.segments.length < 2 || second.kind !== 'key') {
        reject(state, path, ['task.<attribute>', 'worker.<attribute>', 'taskrouter.<variable>'], 'Attributes in a target expression must be prefixed by task. or worker.');
      }
      if (root === 'task') {
        const keys = keysOf(path, 1);
        return (context) => resolveSegments(context.task, keys);
      }
      return compileWorkerPath(path);
    }
  }
}

/** Reads a `worker.…` path (worker fields, channel state or attributes); shared with order_by. */
export function compileWorkerPath(path: PathNode): Getter {
  const second = path.segments[1];
  const name = second.kind === 'key' ? second.name : '';
  const field = WORKER_FIELDS[name];
  if (field && path.segments.length === 2) {
    return (context) => (context.worker ? field(context.worker) : null);
  }
  const third = path.segments[2];
  const fourth = path.segments[3];
  if (name === 'channel' && path.segments.length === 4 && third.kind === 'key' && fourth.kind === 'key' && CHANNEL_FIELDS[fourth.name]) {
    const channelName = third.name;
    const read = CHANNEL_FIELDS[fourth.name];
    return (context) => {
      const channels = context.worker?.channels;
      if (!channels || !Object.prototype.hasOwnProperty.call(channels, channelName)) return null;
      return read(channels[channelName]);
    };
  }
  const keys = keysOf(path, 1);
  return (context) => resolveSegments(context.worker?.attributes, keys);
}

function compileTimeVariable(path: PathNode, state: CompileState): Getter {
  const second = path.segments[1];
  const name = second?.kind === 'key' ? second.name : '';
  if (path.segments.length !== 2 || !(TIME_VARIABLES as readonly string[]).includes(name)) {
    reject(
      state,
      path,
      TIME_VARIABLES.map((variable) => `taskrouter.${variable}`),
    );
  }
  state.usesTime = true;
  const variable = name as keyof TimeOfDay;
  return (context) => timeOfDay(context.now ?? (context.clock ?? systemClock)())[variable];
}
