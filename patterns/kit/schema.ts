/**
 * zod, the schema library, for pattern code. Pattern code may import no
 * package (the sandbox refuses them), so the kit passes on this one: the
 * settings pattern declares its settings as a zod schema, as a service would.
 * In the sandbox, code generation from strings is off; zod notices and
 * validates without it.
 */
export { z } from 'zod';
