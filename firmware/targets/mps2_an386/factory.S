/* The factory app inside the bootloader: installed in slot A of a board whose flash
   holds no valid image (HASHRIG_FACTORY_APP names the app's raw binary). */
    .section .rodata.factory, "a"
    .balign 4
    .global kFactoryApp
    .global kFactoryAppEnd
kFactoryApp:
    .incbin HASHRIG_FACTORY_APP
kFactoryAppEnd:
