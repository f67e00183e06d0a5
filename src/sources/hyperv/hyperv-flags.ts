// The hyperv source's flags, declared beside it and spread into the exporter's flag table.
import { duration, list, str } from '../../config/flag-spec.js';

export const HYPERV_FLAGS = {
  'hyperv.powershell': str(
    'powershell.exe',
    'PowerShell that runs the Hyper-V script: powershell.exe (Windows PowerShell 5.1), pwsh (PowerShell 7), or a ' +
      'full path. The hyperv collector is on by default on Windows only.',
  ),
  'hyperv.vm-dir': list(
    [],
    "Directory the Hyper-V file scan lists for .vhdx/.avhdx/.vhd/.avhd files (repeatable). Empty: the host's " +
      "default virtual disk and VM folders, each VM's folder and the folders of its disks.",
  ),
  'hyperv.scan-interval': duration(
    '15m',
    'How often the Hyper-V file scan lists the VM directories (in the background; its last result is served in ' +
      'between).',
  ),
} as const;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    hyperv: typeof HYPERV_FLAGS;
  }
}
