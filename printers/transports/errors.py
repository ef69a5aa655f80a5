"""Transport errors: each says, in Chinese and English, why a printer cannot be reached and what to do."""

from __future__ import annotations

import errno
import os
import socket
import sys

from printers.errors import PrinterError


class TransportError(PrinterError):
    """A printer connection problem a person can act on."""

    default_zh = "打印机连接出错"
    default_en = "Printer connection error"

    def __init__(self, uri: str, detail: str = "", *, zh: str | None = None, en: str | None = None) -> None:
        self.uri = uri
        self.detail = detail
        message_en = f"{en or self.default_en} ({uri})"
        if detail:
            message_en += f": {detail}"
        super().__init__(f"{zh or self.default_zh}（{uri}）", message_en)


class InvalidPrinterUri(TransportError):
    default_zh = "打印机地址格式不对，应为 serial:// tcp:// usblp:// spool:// file:// 之一"
    default_en = "Bad printer address; expected serial://, tcp://, usblp://, spool:// or file://"


class PortNotFound(TransportError):
    default_zh = "找不到该端口或设备：请检查连接线，或在设备管理器中确认端口名"
    default_en = "No such port or device: check the cable and the port name"


class PermissionDenied(TransportError):
    default_zh = "没有权限打开打印机设备"
    default_en = "Permission denied opening the printer device"


class DeviceBusy(TransportError):
    default_zh = "设备被其他程序占用（例如系统打印服务）"
    default_en = "The device is in use by another program (for example the system print service)"


class ConnectionRefused(TransportError):
    default_zh = "打印机拒绝连接：请确认 IP 和端口（通常 9100），以及打印机已开机"
    default_en = "Connection refused: check the IP address and port (usually 9100) and that the printer is on"


class HostUnreachable(TransportError):
    default_zh = "无法到达打印机：请检查网线、IP 地址和网络"
    default_en = "Printer unreachable: check the network cable, IP address and network"


class TransportTimeout(TransportError):
    default_zh = "打印机在规定时间内没有响应"
    default_en = "The printer did not respond in time"


class ConnectionLost(TransportError):
    default_zh = "与打印机的连接已断开：重新连接后会重发未完成的内容"
    default_en = (
        "The connection to the printer dropped; unfinished data will be sent again after reconnecting"
    )


class SpoolerUnavailable(TransportError):
    default_zh = "系统打印服务不可用"
    default_en = "The system print spooler is not available"


def _permission_hint(path: str) -> tuple[str, str]:
    if sys.platform.startswith("linux"):
        group = "lp" if "lp" in os.path.basename(path) or "/usb/" in path else "dialout"
        return (
            f"没有权限打开 {path}：请把当前用户加入 {group} 组（sudo usermod -aG {group} $USER，然后重新登录），"
            "或添加 udev 规则赋予访问权限",
            f"permission denied on {path}: add your user to the '{group}' group "
            f"(sudo usermod -aG {group} $USER, then log in again) or add a udev rule granting access",
        )
    return (f"没有权限打开 {path}", f"permission denied on {path}")


def explain_os_error(uri: str, path_or_host: str, exc: BaseException) -> TransportError:
    """Turn an OS-level failure into the user-facing error that explains it."""
    code = getattr(exc, "errno", None)
    detail = str(exc)
    if isinstance(exc, socket.gaierror):
        return HostUnreachable(
            uri, detail, zh=f"找不到主机 {path_or_host}：请检查打印机地址", en=f"unknown host {path_or_host}"
        )
    if isinstance(exc, ConnectionRefusedError) or code == errno.ECONNREFUSED:
        return ConnectionRefused(uri, detail)
    if isinstance(exc, TimeoutError | socket.timeout) or code == errno.ETIMEDOUT:
        return TransportTimeout(uri, detail)
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN):
        return HostUnreachable(uri, detail)
    if code in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ENOTCONN):
        return ConnectionLost(uri, detail)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return PortNotFound(
            uri,
            detail,
            zh=f"找不到设备 {path_or_host}：请检查连接线和端口名",
            en=f"no such port {path_or_host}",
        )
    if code in (errno.EACCES, errno.EPERM):
        zh, en = _permission_hint(path_or_host)
        return PermissionDenied(uri, detail, zh=zh, en=en)
    if code == errno.EBUSY:
        return DeviceBusy(uri, detail)
    return TransportError(uri, detail)
