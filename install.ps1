# Installs xsguard on Windows (x86_64) from a release archive, after checking its SHA-256.
#
#   powershell -ExecutionPolicy ByPass -c "irm https://github.com/xsguard/xsguard/releases/latest/download/install.ps1 | iex"
#   .\install.ps1 -Version 0.1.0 -InstallDir C:\tools\bin
#
# Parameters (or environment variables):
#   -Version V       XSGUARD_VERSION        release to install (default: the latest)
#   -InstallDir D    XSGUARD_INSTALL_DIR    where to put xsguard.exe (default: ~\.local\bin)
#   -DownloadUrl U   XSGUARD_DOWNLOAD_URL   where the releases are (default:
#                                           https://github.com/xsguard/xsguard/releases), laid
#                                           out as GitHub does: U/download/vV/ASSET, and
#                                           U/latest/download/VERSION naming the latest one
# Nothing is installed unless the checksum matches; the user's PATH is not changed.
[CmdletBinding()]
param(
    [string]$Version = $env:XSGUARD_VERSION,
    [string]$InstallDir = $env:XSGUARD_INSTALL_DIR,
    [string]$DownloadUrl = $env:XSGUARD_DOWNLOAD_URL
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# A terminating error, not `exit`: under `irm ... | iex` exit would close the user's shell. Run as
# a file (powershell -File install.ps1) it ends with exit status 1.
function Fail([string]$Message) {
    throw "xsguard-install: $Message"
}

if (-not $Version) { $Version = 'latest' }
if (-not $InstallDir) { $InstallDir = Join-Path $HOME '.local\bin' }
if (-not $DownloadUrl) { $DownloadUrl = 'https://github.com/xsguard/xsguard/releases' }
$DownloadUrl = $DownloadUrl.TrimEnd('/')
$Version = $Version -replace '^v', ''

$arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString()
if ($arch -ne 'X64' -and $arch -ne 'Arm64') {
    Fail "no xsguard build for Windows on $arch; build it from source: cargo install xsguard --locked"
}
# Windows on Arm runs the x86_64 build under emulation.
$target = 'x86_64-pc-windows-msvc'

$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("xsguard-install-" + [System.Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    if ($Version -eq 'latest') {
        try {
            $Version = (Invoke-RestMethod -UseBasicParsing "$DownloadUrl/latest/download/VERSION").ToString().Trim() -replace '^v', ''
        } catch {
            Fail "cannot find the latest version at $DownloadUrl/latest/download/VERSION (give -Version)"
        }
    }
    if ($Version -notmatch '^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$') { Fail "not a version: $Version" }

    $name = "xsguard-$Version-$target"
    $archive = "$name.zip"
    $url = "$DownloadUrl/download/v$Version/$archive"
    Write-Host "xsguard-install: installing xsguard $Version ($target) into $InstallDir"
    $zip = Join-Path $tmp $archive
    try {
        Invoke-WebRequest -UseBasicParsing -Uri $url -OutFile $zip
        Invoke-WebRequest -UseBasicParsing -Uri "$url.sha256" -OutFile "$zip.sha256"
    } catch {
        Fail "download failed: $url ($($_.Exception.Message))"
    }

    $expected = ((Get-Content -Raw "$zip.sha256").Trim() -split '\s+')[0].ToLowerInvariant()
    $actual = (Get-FileHash -Algorithm SHA256 $zip).Hash.ToLowerInvariant()
    if ($expected -notmatch '^[0-9a-f]{64}$') { Fail "the checksum file $url.sha256 is not a SHA-256; nothing was installed" }
    if ($expected -ne $actual) {
        Fail "checksum mismatch for ${archive}: expected $expected, got $actual. The download is corrupt or was tampered with; nothing was installed."
    }

    $unpacked = Join-Path $tmp 'x'
    Expand-Archive -Path $zip -DestinationPath $unpacked
    $exe = Join-Path $unpacked "$name\xsguard.exe"
    if (-not (Test-Path $exe)) { Fail "$archive holds no $name\xsguard.exe" }

    New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
    # Copy beside the destination, then rename over it: a failed copy leaves the old binary.
    $staged = Join-Path $InstallDir ".xsguard.$PID.exe"
    $dest = Join-Path $InstallDir 'xsguard.exe'
    Copy-Item $exe $staged
    Move-Item -Force $staged $dest

    $installed = & $dest --version
    if ($LASTEXITCODE -ne 0) { Fail "$dest does not run on this machine" }
    Write-Host "xsguard-install: installed $installed at $dest"

    $onPath = ($env:PATH -split ';') | Where-Object { $_.TrimEnd('\') -ieq $InstallDir.TrimEnd('\') }
    if (-not $onPath) {
        Write-Host "xsguard-install: $InstallDir is not on your PATH. Add it for your user, then open a new terminal:"
        Write-Host "  [Environment]::SetEnvironmentVariable('Path', [Environment]::GetEnvironmentVariable('Path', 'User') + ';$InstallDir', 'User')"
    }
} finally {
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
