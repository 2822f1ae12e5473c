/** The db-counter fixture lab as a lab module file, for live runs in a sandbox (version 1). */
import { dbCounterModule } from './db-counter-lab.ts';

export const { start } = dbCounterModule(1);
