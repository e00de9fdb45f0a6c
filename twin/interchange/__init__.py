"""Bring your own floor, share the result: rack inventories (CSV, XLSX, NetBox) in and
out, DXF floor plans under the racks and DXF out, OpenUSD and glTF scenes out.

Above the engine (exports with results simulate the layout), below the GUI; no Qt."""
