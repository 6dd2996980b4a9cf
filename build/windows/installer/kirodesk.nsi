; Kirodesk's Windows installer, built on Linux with Debian's makensis by
; scripts/package.sh (`make package`), which defines:
;   VERSION    the VERSION file, e.g. 0.1.0
;   VIVERSION  the same as four numbers, e.g. 0.1.0.0 (the file's version resource)
;   BINDIR     the folder holding kirodesk.exe, kirodesk-desktop.exe and kirodesk-tray.exe
;   ICON       kirodesk.ico (scripts/iconset)
;   OUTFILE    where to write the installer
;
; A per-user install: no administrator rights, like the app itself, whose
; state (%APPDATA%\kirodesk), keychain items (Credential Manager) and start
; at login (HKCU\...\Run) all belong to the person. Installing over an older
; version replaces the program files only. The uninstaller removes the
; program files, the Start-menu entry and the start-at-login value, and
; leaves %APPDATA%\kirodesk and the keychain items: `kirodesk reset --all`
; removes those.

Unicode true

!ifndef VERSION | VIVERSION | BINDIR | ICON | OUTFILE
  !error "define VERSION, VIVERSION, BINDIR, ICON and OUTFILE (see scripts/package.sh)"
!endif

!include "MUI2.nsh"
!include "FileFunc.nsh"

!define PRODUCT "Kirodesk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Kirodesk"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Kirodesk"
InstallDirRegKey HKCU "Software\Kirodesk" "InstallDir"
RequestExecutionLevel user
SetCompressor /SOLID lzma
ShowInstDetails show

VIProductVersion "${VIVERSION}"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "CompanyName" "Kirodesk developers"
VIAddVersionKey "LegalCopyright" "Kirodesk developers"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
; The Start menu and the finish page start the desktop app itself;
; kirodesk.exe is the command line (it starts the app when given no command).
!define MUI_FINISHPAGE_RUN "$INSTDIR\kirodesk-desktop.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start Kirodesk"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; WaitUntilWritable: Windows refuses to replace or delete a running exe.
; Opening it for writing fails the same way, so that is the test; the
; person is asked to quit Kirodesk (the tray's Quit also ends the tray).
!macro WAIT_UNTIL_WRITABLE un
Function ${un}WaitUntilWritable ; $0: the file
  retry:
    IfFileExists "$0" 0 done
    ClearErrors
    FileOpen $1 "$0" a
    IfErrors 0 writable
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "Kirodesk is running ($0).$\r$\nQuit it from its tray menu (Quit), then click Retry." \
      /SD IDCANCEL IDRETRY retry
    Abort "Kirodesk is still running."
  writable:
    FileClose $1
  done:
FunctionEnd
!macroend
!insertmacro WAIT_UNTIL_WRITABLE ""
!insertmacro WAIT_UNTIL_WRITABLE "un."

Section "Kirodesk" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  StrCpy $0 "$INSTDIR\kirodesk.exe"
  Call WaitUntilWritable
  StrCpy $0 "$INSTDIR\kirodesk-desktop.exe"
  Call WaitUntilWritable
  StrCpy $0 "$INSTDIR\kirodesk-tray.exe"
  Call WaitUntilWritable

  File "${BINDIR}\kirodesk.exe"
  File "${BINDIR}\kirodesk-desktop.exe"
  File "${BINDIR}\kirodesk-tray.exe"
  File "/oname=kirodesk.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  SetShellVarContext current
  CreateShortcut "$SMPROGRAMS\Kirodesk.lnk" "$INSTDIR\kirodesk-desktop.exe" "" "$INSTDIR\kirodesk.ico" 0 \
    SW_SHOWNORMAL "" "Your Kiro accounts as a local Anthropic- and OpenAI-compatible API"

  WriteRegStr HKCU "Software\Kirodesk" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "Kirodesk developers"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\kirodesk.ico"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $2 $3 $4
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$2"
SectionEnd

Section "Uninstall"
  StrCpy $0 "$INSTDIR\kirodesk.exe"
  Call un.WaitUntilWritable
  StrCpy $0 "$INSTDIR\kirodesk-desktop.exe"
  Call un.WaitUntilWritable
  StrCpy $0 "$INSTDIR\kirodesk-tray.exe"
  Call un.WaitUntilWritable

  Delete "$INSTDIR\kirodesk.exe"
  Delete "$INSTDIR\kirodesk-desktop.exe"
  Delete "$INSTDIR\kirodesk-tray.exe"
  Delete "$INSTDIR\kirodesk.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  SetShellVarContext current
  Delete "$SMPROGRAMS\Kirodesk.lnk"
  ; Start at login would point at the deleted kirodesk-desktop.exe (the app
  ; writes the value "kirodesk" for the default config folder).
  DeleteRegValue HKCU "${RUNKEY}" "kirodesk"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "Software\Kirodesk"
  ; %APPDATA%\kirodesk and the Credential Manager items stay, so that a
  ; reinstall finds the accounts: `kirodesk reset --all` removes them.
SectionEnd
