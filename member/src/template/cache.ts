/** One renderer per configuration snapshot: built on first use, dropped with the snapshot. */
import type { Snapshot } from '../config/snapshot.js';
import { createRenderer, type TemplateRenderer } from './renderer.js';

export function rendererCache(): (snap: Snapshot) => TemplateRenderer {
  const renderers = new WeakMap<Snapshot, TemplateRenderer>();
  return (snap) => {
    let r = renderers.get(snap);
    if (!r) {
      r = createRenderer({ templates: snap.templates, language: snap.settings.language });
      renderers.set(snap, r);
    }
    return r;
  };
}
