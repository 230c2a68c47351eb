<#
.SYNOPSIS
  Build Tracker Desktop for Windows: the one-folder app, a zip of it, and (with -Installer) the
  per-user installer.

.DESCRIPTION
  Run from any folder, in PowerShell 5.1 or 7, on Windows 10/11 x64 with Python 3.11 installed
  (python.org installer, "py" launcher). No administrator rights are needed.

    powershell -ExecutionPolicy Bypass -File build\build_windows.ps1
    powershell -ExecutionPolicy Bypass -File build\build_windows.ps1 -Installer
    powershell -ExecutionPolicy Bypass -File build\build_windows.ps1 -Installer -CertificateThumbprint 0123ABCD...

  Results in build\dist\:
    TrackerDesktop\                              the app folder (copy it anywhere)
      TrackerDesktop.exe                         the desktop app (no console window)
      tracker-desktop.exe                        the command line, and "tracker-desktop doctor"
    TrackerDesktop-<version>-windows-x64.zip     that folder, zipped
    TrackerDesktop-<version>-setup.exe           per-user installer (with -Installer; needs Inno Setup 6)

.PARAMETER Python
  The Python to build with. Default: .venv\Scripts\python.exe, created with "py -3.11" if missing.
.PARAMETER Installer
  Also build the installer with Inno Setup 6 (ISCC.exe on PATH or in its usual folders).
.PARAMETER CertificateThumbprint
  Sign both executables (and the installer) with this code-signing certificate from the
  current user's certificate store, using signtool.exe from the Windows SDK.
.PARAMETER TimestampUrl
  RFC 3161 time-stamp server used when signing.
#>
[CmdletBinding()]
param(
    [string]$Python = "",
    [switch]$Installer,
    [string]$CertificateThumbprint = $env:TRACKER_SIGN_THUMBPRINT,
    [string]$TimestampUrl = "http://timestamp.digicert.com"
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

function Invoke-Checked {
    param([string]$What, [scriptblock]$Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

# --- Python with the app and PyInstaller ------------------------------------------------------
if (-not $Python) {
    $Python = Join-Path $Root ".venv\Scripts\python.exe"
    if (-not (Test-Path $Python)) {
        Write-Host "Creating .venv with Python 3.11"
        Invoke-Checked "Creating the virtual environment" { py -3.11 -m venv .venv }
        Invoke-Checked "Upgrading pip" { & $Python -m pip install --quiet --upgrade pip }
    }
}
Invoke-Checked "Installing Tracker Desktop" { & $Python -m pip install --quiet -e . }
Invoke-Checked "Installing PyInstaller" { & $Python -m pip install --quiet "pyinstaller>=6.10,<7" }

$Version = (& $Python -c "import sys; sys.path.insert(0, 'build'); from version_info import read_version; print(read_version('tracker_desktop/__init__.py'))").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "Could not read the version from tracker_desktop\__init__.py." }
Write-Host "Building Tracker Desktop $Version"

# --- the one-folder build ---------------------------------------------------------------------
$Dist = Join-Path $Root "build\dist"
$Bundle = Join-Path $Dist "TrackerDesktop"
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
Invoke-Checked "PyInstaller" {
    & $Python -m PyInstaller --noconfirm --clean --log-level WARN `
        --distpath build\dist --workpath build\work build\tracker-desktop.spec
}

# --- optional code signing (before zipping, so the zip holds signed files) --------------------
function Get-SignTool {
    $cmd = Get-Command signtool.exe -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    $kits = Join-Path ${env:ProgramFiles(x86)} "Windows Kits\10\bin"
    $found = Get-ChildItem -Path $kits -Filter signtool.exe -Recurse -ErrorAction SilentlyContinue |
        Where-Object { $_.FullName -match "\\x64\\" } | Sort-Object FullName -Descending | Select-Object -First 1
    if ($found) { return $found.FullName }
    throw "signtool.exe was not found: install the Windows SDK (Signing Tools for Desktop Apps)."
}

function Invoke-Sign {
    param([string[]]$Files)
    if (-not $CertificateThumbprint) { return }
    $signtool = Get-SignTool
    Invoke-Checked "Signing" {
        & $signtool sign /sha1 $CertificateThumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 `
            /d "Tracker Desktop" $Files
    }
}

Invoke-Sign @((Join-Path $Bundle "TrackerDesktop.exe"), (Join-Path $Bundle "tracker-desktop.exe"))
if (-not $CertificateThumbprint) {
    Write-Host "Not signed (no -CertificateThumbprint): SmartScreen will warn on first start. See docs\IT.md."
}

# --- check the build with its own doctor ------------------------------------------------------
$Cli = Join-Path $Bundle "tracker-desktop.exe"
Invoke-Checked "tracker-desktop --version" { & $Cli --version }
$Settings = Join-Path ([System.IO.Path]::GetTempPath()) ("tracker-doctor-" + [guid]::NewGuid())
$env:TRACKER_DESKTOP_SETTINGS_DIR = $Settings  # not the builder's own settings folder
try {
    Invoke-Checked "tracker-desktop doctor" { & $Cli doctor }
} finally {
    Remove-Item Env:\TRACKER_DESKTOP_SETTINGS_DIR
    if (Test-Path $Settings) { Remove-Item -Recurse -Force $Settings }
}

# --- zip ----------------------------------------------------------------------------------------
$Zip = Join-Path $Dist "TrackerDesktop-$Version-windows-x64.zip"
if (Test-Path $Zip) { Remove-Item -Force $Zip }
Compress-Archive -Path $Bundle -DestinationPath $Zip -CompressionLevel Optimal
$SizeMB = [math]::Round(((Get-ChildItem $Bundle -Recurse -File | Measure-Object Length -Sum).Sum / 1MB), 1)
Write-Host "App folder: $Bundle ($SizeMB MB)"
Write-Host "Zip:        $Zip"

# --- per-user installer (Inno Setup 6) ----------------------------------------------------------
if ($Installer) {
    $iscc = Get-Command iscc.exe -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source -First 1
    if (-not $iscc) {
        $iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                  "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") |
            Where-Object { Test-Path $_ } | Select-Object -First 1
    }
    if (-not $iscc) { throw "Inno Setup 6 (ISCC.exe) was not found: install it from jrsoftware.org, or leave out -Installer." }
    $numeric = (& $Python -c "import sys; sys.path.insert(0, 'build'); from version_info import version_tuple; print('.'.join(map(str, version_tuple('$Version'))))").Trim()
    Invoke-Checked "Inno Setup" { & $iscc /Q "/DAppVersion=$Version" "/DAppVersionNumeric=$numeric" build\installer.iss }
    $Setup = Join-Path $Dist "TrackerDesktop-$Version-setup.exe"
    Invoke-Sign @($Setup)
    Write-Host "Installer:  $Setup"
}
