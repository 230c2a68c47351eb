"""Save a workbook as a password-protected .ods with headless LibreOffice, in a chosen ODF
version (1.2 and later encrypt with AES-256-CBC; 1.1 with Blowfish CFB), for the tests of
encrypted input. Run with the system Python that has python3-uno:

    python3 lo_odf_helper.py PLAIN.xlsx OUT.ods PASSWORD ODF_VERSION     (ODF_VERSION 1.1 or 1.2)
"""
import sys

import uno
from com.sun.star.beans import PropertyValue
from lo_helper import Office, props, url

# org.openoffice.Office.Common/Save/ODF/DefaultVersion (SvtSaveOptions::ODFDefaultVersion)
ODF_VERSIONS = {"1.1": 2, "1.2": 4}


def remote_context(office):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    return resolver.resolve(f"uno:pipe,name={office.pipe};urp;StarOffice.ComponentContext")


def set_odf_version(ctx, version):
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    node = PropertyValue()
    node.Name, node.Value = "nodepath", "/org.openoffice.Office.Common/Save/ODF"
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", (node,))
    uno.invoke(access, "setPropertyValue", ("DefaultVersion", uno.Any("short", ODF_VERSIONS[version])))
    access.commitChanges()


def main(plain, out, password, version):
    with Office() as office:
        set_odf_version(remote_context(office), version)
        doc = office.load(plain)
        if doc is None:
            return 3
        try:
            doc.storeToURL(url(out), props(FilterName="calc8", Password=password, Overwrite=True))
        finally:
            doc.close(True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
