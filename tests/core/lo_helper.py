"""Drive headless LibreOffice through UNO, for the interop tests of protection.py.

Run with the system Python that has python3-uno (/usr/bin/python3), not the project's venv:

    python3 lo_helper.py read  WORKBOOK PASSWORD          prints the first sheet's cells as JSON
    python3 lo_helper.py write PLAIN.xlsx OUT PASSWORD [FILTER]  saves PLAIN encrypted with PASSWORD
                                                        (FILTER "MS Excel 97" writes an old .xls)

Exit status 3 means LibreOffice would not open the workbook (a wrong password, for one).
Each run starts its own soffice with a throw-away profile, so runs never share state.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import uno
from com.sun.star.beans import NamedValue, PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.io import IOException
from com.sun.star.lang import IllegalArgumentException

XLSX_FILTER = "Calc MS Excel 2007 XML"


def props(**kw):
    out = []
    for name, value in kw.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


class Office:
    """A private soffice process and its desktop; closed (and the profile removed) on exit."""

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="lo_profile_")
        self.pipe = "lo_helper_" + uuid.uuid4().hex
        self.proc = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             "-env:UserInstallation=" + uno.systemPathToFileUrl(self.profile),
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.time() + 60  # the first start with a fresh profile is slow
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException as e:
                if time.time() > deadline or self.proc.poll() is not None:
                    self._stop()
                    raise SystemExit("soffice did not start") from e
                time.sleep(0.3)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        return self

    def load(self, path, password=None):
        """The document, or None when LibreOffice refuses it (no dialog: Hidden, no handler)."""
        kw = {"Hidden": True}
        if password is not None:
            kw["Password"] = password
        try:
            return self.desktop.loadComponentFromURL(url(path), "_blank", 0, props(**kw))
        except (IllegalArgumentException, IOException):
            return None

    def __exit__(self, *exc):
        self._stop()

    def _stop(self):
        try:
            self.desktop.terminate()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def read(path, password):
    with Office() as office:
        doc = office.load(path, password)
        if doc is None:
            return 3
        try:
            sheet = doc.Sheets.getByIndex(0)
            cursor = sheet.createCursor()
            cursor.gotoEndOfUsedArea(False)
            last_col, last_row = cursor.RangeAddress.EndColumn, cursor.RangeAddress.EndRow
            rows = [[sheet.getCellByPosition(c, r).String for c in range(last_col + 1)]
                    for r in range(last_row + 1)]
            print(json.dumps({"sheet": sheet.Name, "rows": rows}))
        finally:
            doc.close(True)
    return 0


def write(plain, out, password, filter_name=XLSX_FILTER):
    with Office() as office:
        doc = office.load(plain)
        if doc is None:
            return 3
        try:
            if filter_name == XLSX_FILTER:
                # The OOXML export filter ignores a plain Password property: it encrypts only when
                # EncryptionData carries "OOXPassword". LibreOffice 7.4 also needs CryptoType
                # "Standard" (ECMA-376 Standard, AES-128); without it, or with "Agile", the store
                # fails with an I/O error (0xc10).
                encryption = uno.Any("[]com.sun.star.beans.NamedValue", (
                    NamedValue("OOXPassword", password), NamedValue("CryptoType", "Standard")))
                options = props(FilterName=filter_name, EncryptionData=encryption, Overwrite=True)
            else:  # the binary .xls filter takes a Password (and writes RC4 CryptoAPI encryption)
                options = props(FilterName=filter_name, Password=password, Overwrite=True)
            doc.storeToURL(url(out), options)
        finally:
            doc.close(True)
    return 0

if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit({"read": read, "write": write}[command](*args))
