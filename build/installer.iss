; Inno Setup 6 script: a per-user installer for Tracker Desktop. No administrator rights needed:
; it installs into %LOCALAPPDATA%\Programs\Tracker Desktop and adds Start menu (and, if ticked,
; desktop) shortcuts for the current user only.
;
; Build the app folder first (build\build_windows.ps1), then:
;   ISCC.exe /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 build\installer.iss
; (build_windows.ps1 -Installer does both). Output: build\dist\TrackerDesktop-<version>-setup.exe
;
; Silent install for IT, run AS THE USER (not as SYSTEM: a per-user install goes into the
; profile of whoever runs it):
;   TrackerDesktop-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Silent uninstall:
;   "%LOCALAPPDATA%\Programs\Tracker Desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES

#define AppName "Tracker Desktop"
#define AppExe "TrackerDesktop.exe"
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric "0.0.0.0"
#endif

[Setup]
; AppId identifies the program for upgrades and uninstall: never change it.
AppId={{8B1E6C52-3F0D-4B7A-9E55-6A2C71D4F0B3}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Tracker Desktop
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} per-user installer
; Per user, no elevation: the install folder is the user's own.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableDirPage=auto
DisableProgramGroupPage=yes
DefaultGroupName={#AppName}
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Close a running copy (it would lock its files) and start it again afterwards.
CloseApplications=yes
RestartApplications=no
SetupIconFile=..\assets\icon.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir=dist
OutputBaseFilename=TrackerDesktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the program's own files completely, so no library of an older version is
; left behind. Templates copied into _internal\templates are replaced too: copy KCC's newest
; again after upgrading (see docs\IT.md). Settings, logs and returns live elsewhere and are kept.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "dist\TrackerDesktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; Uninstalling removes the program folder only. The user's settings, remembered column
; matching, history and logs (see docs\IT.md) are kept, as are the returns they saved.
