/**
 * Which cluster a flag pair names: a kubeconfig file (default KUBECONFIG, else ~/.kube/config, as
 * kubectl) and one of its contexts (default its current one). Mistakes are UsageErrors.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeconfigInto, UsageError } from '@herald/shared/cli';
import { str, type Values } from './command.js';

function loadKubeconfig(file: string | undefined, context: string | undefined, flags: { file: string; context: string }): KubeConfig {
  const kc = new KubeConfig();
  if (file !== undefined) {
    loadKubeconfigInto(kc, file, flags.file);
  } else if (process.env['KUBECONFIG'] || existsSync(join(homedir(), '.kube', 'config'))) {
    kc.loadFromDefault();
  } else {
    throw new UsageError(`no kubeconfig: pass --${flags.file} FILE or set KUBECONFIG`);
  }
  if (context !== undefined) {
    if (!kc.contexts.some((c) => c.name === context)) {
      throw new UsageError(`--${flags.context} ${context}: no such context (have ${kc.contexts.map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError(`${file ?? 'KUBECONFIG'}: no current context; pass --${flags.context}`);
  return kc;
}

/** The host: --kubeconfig or its old name --host-kubeconfig (not two different files), and --context. */
export function hostKubeconfig(v: Values): KubeConfig {
  const a = str(v, 'kubeconfig');
  const b = str(v, 'host-kubeconfig');
  if (a !== undefined && b !== undefined && a !== b) throw new UsageError('--kubeconfig and --host-kubeconfig name the same thing; give one');
  return loadKubeconfig(a ?? b, str(v, 'context'), { file: a === undefined && b !== undefined ? 'host-kubeconfig' : 'kubeconfig', context: 'context' });
}

export function memberKubeconfig(v: Values): KubeConfig {
  return loadKubeconfig(str(v, 'member-kubeconfig'), str(v, 'member-context'), { file: 'member-kubeconfig', context: 'member-context' });
}

/** Whether a member kubeconfig was named at all (unjoin works without one, with --force). */
export const memberNamed = (v: Values): boolean => str(v, 'member-kubeconfig') !== undefined || str(v, 'member-context') !== undefined;
