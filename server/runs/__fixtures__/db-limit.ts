/** An "editable file" for the exercise-runner test of checks that use a database. */
export const LIMIT = 10;
