import { Command } from 'commander';
import { registerKeysCommand } from './keys-command.js';
import { registerStartCommand } from './start-command.js';
import { registerCheckCommand } from './check-command.js';
import { registerAuditCommand } from './audit-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerStoreCommand } from './migrate-command.js';
import { registerVerifyIsolationCommand } from './verify-isolation-command.js';
import { registerModelCommand } from './model-command.js';
import { registerInitCommand } from './init-command.js';

/**
 * The `perch` command line. Each subcommand lives in its own module and registers itself here.
 */
export function buildProgram(): Command {
  const program = new Command('perch').description('Perch: secure embedded analytics').showHelpAfterError().exitOverride();
  registerStartCommand(program);
  registerKeysCommand(program);
  registerCheckCommand(program);
  registerInitCommand(program);
  registerAuditCommand(program);
  registerDemoCommand(program);
  registerDoctorCommand(program);
  registerStoreCommand(program);
  registerVerifyIsolationCommand(program);
  registerModelCommand(program);
  return program;
}

