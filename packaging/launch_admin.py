"""Entry script of the frozen `studentres-admin` (PyInstaller needs a file, not a function)."""

from studentres_desktop.cli import main

if __name__ == "__main__":
    main(prog_name="studentres-admin")
