export { PropagationController, FIELD_MANAGER, type ControllerOptions } from './propagation/controller.js';
export { placementFor, type Placement, type MemberInfo } from './propagation/placement.js';
export { applyOverrides } from './propagation/overrides.js';
export { desiredFor, MANAGED_BY, MANAGED_BY_LABEL } from './propagation/render.js';
