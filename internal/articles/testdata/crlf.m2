S first line
A 0 1|||Mec|||First|||REQUIRED|||-NONE-|||0

S second
