/** A state as the view shows it: its label, tone and description from the spec; an unknown state by its id. */
import type { StateMachineViewSpec, Tone } from '../../../../patterns/kit/index.ts';

export interface StateLook {
  label: string;
  tone: Tone;
  description?: string;
}

export type LookUp = (state: string) => StateLook;

export const lookUpStates = (spec: StateMachineViewSpec): LookUp => {
  const byId = new Map<string, StateLook>(spec.states.map((s) => [s.id, { label: s.label, tone: s.tone, description: s.description }]));
  return (state) => byId.get(state) ?? { label: state, tone: 'neutral', description: 'Not one of the states this view expects.' };
};
