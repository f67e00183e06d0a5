# vmzombie-exporter's Hyper-V collector. Read-only: it only runs Get-* cmdlets, CIM queries and
# "hcsdiag list". It prints a marker line, then one JSON document:
#   VMZOMBIE_HYPERV_PART=inventory (default): VMs, checkpoints, their hard disk drives, the disk chains
#     (Get-VHD, parent by parent), vmwp.exe workers, Host Compute Service systems, host boot time;
#   VMZOMBIE_HYPERV_PART=files: the virtual disk files under the VM directories (the slower file scan);
#     VMZOMBIE_HYPERV_DIRS is a JSON array of directories, empty for Hyper-V's own ones.
# Works in Windows PowerShell 5.1 and PowerShell 7: enums are written as names ([string]), because
# ConvertTo-Json writes their numbers and the numbers of the *Critical states differ between Windows
# versions; dates as UTC ISO 8601, because 5.1 writes "\/Date(ms)\/" and printed dates follow the
# culture; every list through -InputObject @(...), so one VM is still an array. Localised text
# (Status, StatusDescriptions) is never read.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$Marker = '---vmzombie-hyperv-json---'
$Problems = New-Object -TypeName 'System.Collections.Generic.List[string]'

function ConvertTo-Utc($Value) {
    if ($null -eq $Value) { return $null }
    return ([datetime]$Value).ToUniversalTime().ToString('o')
}

function ConvertTo-Name($Value) {
    if ($null -eq $Value) { return $null }
    return [string]$Value
}

# Runs one read; a failure becomes a problem in the document instead of ending the collection.
function Invoke-Read([string]$What, [scriptblock]$Read) {
    try {
        return @(& $Read)
    } catch {
        $Problems.Add("${What}: $($_.Exception.Message)")
        return @()
    }
}

function Test-Elevated {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object -TypeName 'Security.Principal.WindowsPrincipal' -ArgumentList $identity
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Read-Vms($Vms) {
    foreach ($vm in $Vms) {
        [ordered]@{
            Id                   = [string]$vm.Id
            Name                 = [string]$vm.Name
            State                = ConvertTo-Name $vm.State
            AutomaticStartAction = ConvertTo-Name $vm.AutomaticStartAction
            AutomaticStartDelay  = $vm.AutomaticStartDelay
            ProcessorCount       = $vm.ProcessorCount
            MemoryAssigned       = $vm.MemoryAssigned
            MemoryStartup        = $vm.MemoryStartup
            Path                 = $vm.Path
            UptimeSeconds        = [int64]$vm.Uptime.TotalSeconds
        }
    }
}

function Read-Checkpoints($Checkpoints) {
    foreach ($cp in $Checkpoints) {
        [ordered]@{
            Id               = [string]$cp.Id
            VMId             = [string]$cp.VMId
            VMName           = [string]$cp.VMName
            Name             = [string]$cp.Name
            CreationTime     = ConvertTo-Utc $cp.CreationTime
            ParentSnapshotId = ConvertTo-Name $cp.ParentSnapshotId
            SnapshotType     = ConvertTo-Name $cp.SnapshotType
        }
    }
}

function Read-Drives($Vms, $Checkpoints) {
    $drives = @(Invoke-Read 'Get-VMHardDiskDrive' { $Vms | Get-VMHardDiskDrive })
    foreach ($cp in $Checkpoints) {
        $drives += @(Invoke-Read "Get-VMHardDiskDrive of checkpoint $($cp.Id)" { Get-VMHardDiskDrive -VMSnapshot $cp })
    }
    foreach ($drive in $drives) {
        # Pass-through disks have no file.
        if (-not $drive.Path) { continue }
        [ordered]@{ VMId = [string]$drive.VMId; VMSnapshotId = [string]$drive.VMSnapshotId; Path = [string]$drive.Path }
    }
}

# Every file of every chain once: each drive's file, then its parent, and so on.
function Read-Chains($Drives) {
    $seen = @{}
    $queue = New-Object -TypeName 'System.Collections.Generic.Queue[string]'
    foreach ($drive in $Drives) { $queue.Enqueue($drive.Path) }
    while ($queue.Count -gt 0) {
        $path = $queue.Dequeue()
        if (-not $path -or $seen.ContainsKey($path)) { continue }
        $seen[$path] = $true
        try {
            $vhd = Get-VHD -Path $path
            if ($vhd.ParentPath) { $queue.Enqueue($vhd.ParentPath) }
            [ordered]@{
                Path       = [string]$vhd.Path
                ParentPath = ConvertTo-Name $vhd.ParentPath
                VhdType    = ConvertTo-Name $vhd.VhdType
                VhdFormat  = ConvertTo-Name $vhd.VhdFormat
                FileSize   = $vhd.FileSize
                Attached   = $vhd.Attached
                Error      = $null
            }
        } catch {
            [ordered]@{
                Path       = $path
                ParentPath = $null
                VhdType    = $null
                VhdFormat  = $null
                FileSize   = $null
                Attached   = $null
                Error      = $_.Exception.Message
            }
        }
    }
}

function Read-Workers {
    $workers = @(Invoke-Read 'Win32_Process' { Get-CimInstance -ClassName Win32_Process -Filter "Name='vmwp.exe'" })
    foreach ($w in $workers) {
        [ordered]@{
            ProcessId      = $w.ProcessId
            CommandLine    = $w.CommandLine
            CreationDate   = ConvertTo-Utc $w.CreationDate
            WorkingSetSize = $w.WorkingSetSize
        }
    }
}

# Host Compute Service systems (WSL2, Docker Desktop, multipass, container utility VMs) run in vmwp.exe
# but Get-VM never lists them. Get-ComputeProcess where its module exists, else hcsdiag's text.
function Read-ComputeSystems {
    $result = [ordered]@{ Listed = $false; ComputeProcesses = $null; Hcsdiag = $null }
    if (Get-Command -Name 'Get-ComputeProcess' -ErrorAction SilentlyContinue) {
        try {
            $list = @(Get-ComputeProcess | ForEach-Object {
                    [ordered]@{ Id = [string]$_.Id; Owner = [string]$_.Owner; Type = ConvertTo-Name $_.Type }
                })
            $result.ComputeProcesses = $list
            $result.Listed = $true
            return $result
        } catch {
            $Problems.Add("Get-ComputeProcess: $($_.Exception.Message)")
        }
    }
    $hcsdiag = Get-Command -Name 'hcsdiag.exe' -ErrorAction SilentlyContinue
    if ($hcsdiag) {
        try {
            $text = (& $hcsdiag.Source 'list' 2>&1 | Out-String)
            if ($LASTEXITCODE -eq 0) {
                $result.Hcsdiag = $text
                $result.Listed = $true
            } else {
                $Problems.Add("hcsdiag list exited with $LASTEXITCODE")
            }
        } catch {
            $Problems.Add("hcsdiag list: $($_.Exception.Message)")
        }
    }
    return $result
}

function Read-Inventory {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $hostInfo = [ordered]@{
        Name              = [string]$env:COMPUTERNAME
        LastBootUpTime    = ConvertTo-Utc $os.LastBootUpTime
        Elevated          = Test-Elevated
        PowerShellVersion = [string]$PSVersionTable.PSVersion
    }
    if (-not (Get-Module -ListAvailable -Name 'Hyper-V')) {
        return [ordered]@{ Format = 1; Part = 'inventory'; Absent = 'the Hyper-V PowerShell module is not installed' }
    }
    Import-Module -Name 'Hyper-V'
    $vms = @(Get-VM)
    $checkpoints = @(Invoke-Read 'Get-VMSnapshot' { $vms | Get-VMSnapshot })
    $drives = @(Read-Drives $vms $checkpoints)
    $compute = Read-ComputeSystems
    return [ordered]@{
        Format           = 1
        Part             = 'inventory'
        Host             = $hostInfo
        Vms              = @(Read-Vms $vms)
        Checkpoints      = @(Read-Checkpoints $checkpoints)
        Drives           = $drives
        Vhds             = @(Read-Chains $drives)
        Workers          = @(Read-Workers)
        ComputeListed    = $compute.Listed
        ComputeProcesses = $compute.ComputeProcesses
        Hcsdiag          = $compute.Hcsdiag
    }
}

function Get-DefaultDirs {
    $vmHost = Get-VMHost
    $dirs = @($vmHost.VirtualHardDiskPath, $vmHost.VirtualMachinePath)
    $vms = @(Get-VM)
    $dirs += @($vms | ForEach-Object { $_.Path })
    $dirs += @($vms | Get-VMHardDiskDrive | Where-Object { $_.Path } | ForEach-Object { Split-Path -Parent $_.Path })
    return $dirs
}

function Read-Files {
    $dirs = @()
    if ($env:VMZOMBIE_HYPERV_DIRS) { $dirs = @(ConvertFrom-Json -InputObject $env:VMZOMBIE_HYPERV_DIRS) }
    if ($dirs.Count -eq 0) {
        if (-not (Get-Module -ListAvailable -Name 'Hyper-V')) {
            return [ordered]@{ Format = 1; Part = 'files'; Absent = 'the Hyper-V PowerShell module is not installed' }
        }
        Import-Module -Name 'Hyper-V'
        $dirs = @(Get-DefaultDirs)
    }
    $unique = @{}
    $scans = foreach ($dir in $dirs) {
        if (-not $dir -or $unique.ContainsKey($dir)) { continue }
        $unique[$dir] = $true
        $listErrors = $null
        $found = @(Get-ChildItem -LiteralPath $dir -Recurse -Depth 3 -File -Force -ErrorAction SilentlyContinue `
                -ErrorVariable listErrors | Where-Object { $_.Extension -match '^\.a?vhdx?$' })
        $message = $null
        if ($listErrors) { $message = (@($listErrors | ForEach-Object { $_.Exception.Message }) -join '; ') }
        [ordered]@{
            Dir   = [string]$dir
            Error = $message
            Files = @($found | ForEach-Object {
                    [ordered]@{ FullName = $_.FullName; Length = $_.Length; LastWriteTime = ConvertTo-Utc $_.LastWriteTimeUtc }
                })
        }
    }
    return [ordered]@{ Format = 1; Part = 'files'; Dirs = @($scans) }
}

$part = 'inventory'
if ($env:VMZOMBIE_HYPERV_PART -eq 'files') { $part = 'files' }
try {
    if ($part -eq 'files') { $document = Read-Files } else { $document = Read-Inventory }
} catch {
    $document = [ordered]@{ Format = 1; Part = $part; Error = $_.Exception.Message }
}
$document['Problems'] = $Problems.ToArray()
Write-Output $Marker
Write-Output (ConvertTo-Json -InputObject $document -Depth 6 -Compress)
